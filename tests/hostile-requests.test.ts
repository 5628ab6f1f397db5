import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, test } from "node:test";
import { CREATED_FIELD, FLASH_KEY, OLD_INPUT_KEY } from "masonite/sessions";
import { AppProcess, appOnRedis } from "./support/appProcess";
import { HttpClient, rawRequest, Visitor, type Reply } from "./support/http";
import { countKeys } from "./support/redis";

/**
 * Hostile requests against a real app process (redis driver, BODY_LIMIT=64kb): oversized,
 * malformed and compressed bodies, deep nesting, prototype-pollution keys in input and in
 * stored session values, huge and broken headers. Each gets a clear 4xx (or, when it is
 * harmless input, a 2xx with the poison removed); nothing is stored; nothing is polluted.
 */

const LIMIT = 64 * 1024;

function json(body: unknown): string {
  return JSON.stringify(body);
}

function form(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, "[").replace(/%5D/g, "]")}=${encodeURIComponent(v)}`).join("&");
}

describe("hostile requests", () => {
  test("bodies, nesting, pollution keys and headers: clear 4xx, nothing stored, nothing polluted", { timeout: 120_000 }, async (t) => {
    const started = await appOnRedis(t, "hostilereq", { env: { BODY_LIMIT: "64kb" } });
    if (!started) return;
    const { redis, namespace, app, client } = started;

    const health = async () => JSON.parse((await client.request("/_rel/health")).body) as { pollution: string[]; pid: number };
    const pid = (await health()).pid;
    const results: { name: string; status: number; expected: string }[] = [];

    /** A request the app must refuse with a 4xx, storing nothing and setting no cookie. */
    async function refused(name: string, send: () => Promise<Reply | { status: number; head?: string; headers?: Reply["headers"] }>, allowed: number[]): Promise<void> {
      const before = await countKeys(redis, `${namespace}:*`);
      const reply = await send();
      results.push({ name, status: reply.status, expected: allowed.join("/") });
      assert.ok(allowed.includes(reply.status), `${name}: expected ${allowed.join(" or ")}, got ${reply.status} ${"body" in reply ? String(reply.body).slice(0, 300) : ""}\n${app.output.slice(-2000)}`);
      const setCookie = "headers" in reply && reply.headers ? reply.headers["set-cookie"] : "head" in reply ? /set-cookie/i.test(reply.head ?? "") : undefined;
      assert.ok(!setCookie || (Array.isArray(setCookie) && setCookie.length === 0), `${name}: a refused request set a cookie`);
      assert.equal(await countKeys(redis, `${namespace}:*`), before, `${name}: a refused request stored something`);
    }

    const post = (path: string, type: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      client.request(path, { method: "POST", headers: { "content-type": type, ...headers }, body });

    // Oversized and compressed bodies: refused before any route, session or CSRF check runs.
    await refused("JSON over BODY_LIMIT", () => post("/_rel/input", "application/json", json({ a: "x".repeat(LIMIT + 10) })), [413]);
    await refused("form over BODY_LIMIT", () => post("/_rel/input", "application/x-www-form-urlencoded", `a=${"x".repeat(LIMIT + 10)}`), [413]);
    await refused("Content-Length of 10 GB", () => rawRequest(app.port, `POST /_rel/input HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\nConnection: close\r\n\r\n{}`), [413]);
    await refused("gzip bomb (10 MB of zeros)", () => post("/_rel/input", "application/json", gzipSync(Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(10 * 1024 * 1024, 48), Buffer.from('"}')])), { "content-encoding": "gzip" }), [413]);
    await refused("unknown Content-Encoding", () => post("/_rel/input", "application/json", "{}", { "content-encoding": "x-evil" }), [415]);
    await refused("gzip header on a body that is not gzip", () => post("/_rel/input", "application/json", "{}", { "content-encoding": "gzip" }), [400]);

    // Malformed bodies.
    for (const [name, body] of [
      ["truncated JSON", '{"a":'],
      ["single quotes", "{'a':1}"],
      ["unclosed array", "[1,2"],
      ["a bare string (strict JSON)", '"text"'],
      ["a bare number", "123"],
      ["NUL bytes", "\u0000\u0000"],
      ["trailing garbage", '{"a":1} trailing'],
    ] as const) {
      await refused(`malformed JSON: ${name}`, () => post("/_rel/input", "application/json", body), [400]);
    }
    await refused("invalid UTF-8 in JSON", () => post("/_rel/input", "application/json", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), [400, 419]);

    // Huge and broken headers: refused by Node's parser before the app sees them.
    await refused("a 20 KB header", () => client.request("/_rel/whoami", { headers: { "x-big": "a".repeat(20_000) } }), [431]);
    await refused("200 headers of 100 bytes", () => client.request("/_rel/whoami", { headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, "b".repeat(100)])) }), [431]);
    await refused("a 20 KB URL", () => client.request(`/_rel/whoami?q=${"c".repeat(20_000)}`), [431, 414]);
    await refused("a 20 KB cookie header", () => client.request("/_rel/whoami", { headers: { cookie: `masonite_session=${"d".repeat(20_000)}` } }), [431]);
    await refused("control characters in a header", () => rawRequest(app.port, "GET /_rel/whoami HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0001b\r\nConnection: close\r\n\r\n"), [400]);
    await refused("Content-Length and Transfer-Encoding together", () =>
      rawRequest(app.port, "POST /_rel/input HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"), [400]);
    await refused("two Content-Length headers", () =>
      rawRequest(app.port, "POST /_rel/input HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}"), [400]);
    await refused("__proto__ in a JSON body", () => post("/_rel/input", "application/json", '{"a":1,"__proto__":{"polluted":"yes"}}'), [400]);
    await refused("nested __proto__ in a JSON body", () => post("/_rel/input", "application/json", '{"a":{"b":[{"__proto__":{"polluted":"yes"}}]}}'), [400]);
    await refused("a form without its CSRF token", () => post("/_rel/input", "application/x-www-form-urlencoded", "a=1"), [419]);

    // Harmless-but-hostile input, sent with a valid session and CSRF token: accepted, poison removed.
    const visitor = new Visitor(client);
    const token = (JSON.parse((await visitor.get("/_rel/token")).body) as { token: string }).token;
    const withToken = { "x-csrf-token": token };
    const send = (type: string, body: string) => visitor.request("/_rel/input", { method: "POST", headers: { "content-type": type, ...withToken }, body });
    const poisoned = [
      ["JSON", "application/json", '{"a":1,"constructor":{"prototype":{"polluted":"yes"}},"nested":{"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"ok":2},"list":[{"constructor":{"prototype":{"polluted":"yes"}}}]}'],
      ["form", "application/x-www-form-urlencoded", form([["a", "1"], ["__proto__[polluted]", "yes"], ["constructor[prototype][polluted]", "yes"], ["nested[__proto__][polluted]", "yes"], ["nested[constructor][prototype][polluted]", "yes"], ["nested[ok]", "2"], ["__proto__.polluted", "yes"], ["list[0][__proto__][polluted]", "yes"]])],
    ] as const;
    for (const [name, type, body] of poisoned) {
      const reply = await send(type, body);
      results.push({ name: `pollution keys in ${name} input`, status: reply.status, expected: "200" });
      assert.equal(reply.status, 200, `${name}: ${reply.body}`);
      const { stored, pollution } = JSON.parse(reply.body) as { stored: unknown; pollution: string[] };
      assert.deepEqual(pollution, [], `${name} input polluted a prototype`);
      const text = JSON.stringify(stored);
      assert.doesNotMatch(text, /__proto__|constructor|prototype|polluted/, `${name}: the stored input still carries poison: ${text}`);
      const key = `${namespace}:session:${visitor.jar.get("masonite_session")}`;
      assert.doesNotMatch(await redis.hget(key, "input") ?? "", /__proto__|constructor|polluted/, `${name}: Redis holds poison`);
    }

    // Deep, wide and numerous input within the body limit: refused by the input limits (32 levels, 1,000 entries
    // per object or array, 10,000 in all) before it is built, with the limit's code; a sparse array is just a key.
    const shaped = [
      ["deeply nested JSON arrays (30,000 levels)", "application/json", `{"a":${"[".repeat(30_000)}${"]".repeat(30_000)}}`, "E_INPUT_TOO_DEEP"],
      ["deeply nested JSON objects (10,000 levels)", "application/json", `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`, "E_INPUT_TOO_DEEP"],
      ["a JSON object of 1,001 keys", "application/json", JSON.stringify(Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, 1]))), "E_INPUT_TOO_WIDE"],
      ["JSON of 11,011 entries in all", "application/json", JSON.stringify(Array.from({ length: 11 }, () => Array(1_000).fill(0))), "E_INPUT_TOO_MANY"],
      ["deeply nested form keys", "application/x-www-form-urlencoded", `a${"[b]".repeat(5_000)}=1`, "E_INPUT_TOO_DEEP"],
      ["6,000 form fields", "application/x-www-form-urlencoded", Array.from({ length: 6_000 }, (_, i) => `f${i}=1`).join("&"), "E_INPUT_TOO_WIDE"],
      ["a form array of 1,001 items", "application/x-www-form-urlencoded", Array.from({ length: 1_001 }, () => "a[]=1").join("&"), "E_INPUT_TOO_WIDE"],
      ["a sparse form array", "application/x-www-form-urlencoded", "a[999999999]=1&a[0]=2", undefined],
    ] as const;
    for (const [name, type, body, code] of shaped) {
      const reply = await visitor.request("/_rel/input", { method: "POST", headers: { "content-type": type, accept: "application/json", ...withToken }, body });
      results.push({ name, status: reply.status, expected: code ? `400 ${code}` : "200" });
      if (!code) {
        assert.equal(reply.status, 200, `${name}: ${reply.body.slice(0, 300)}`);
        assert.ok(JSON.stringify(JSON.parse(reply.body)).length < 200_000, `${name}: the stored input is bounded`);
        continue;
      }
      assert.equal(reply.status, 400, `${name}: ${reply.status} ${reply.body.slice(0, 300)}`);
      assert.equal((JSON.parse(reply.body) as { error: { code: string } }).error.code, code, `${name}: ${reply.body}`);
    }

    // A real app form (validation fails -> back with errors and old input, flashed by withInput()) sent poison or depth.
    const contactBodies = [
      ["pollution keys in a failing app form (form body)", 302, "application/x-www-form-urlencoded", form([["name", ""], ["email", "nope"], ["__proto__[polluted]", "yes"], ["constructor[prototype][polluted]", "yes"], ["deep[constructor][prototype][polluted]", "yes"]])],
      ["pollution keys in a failing app form (JSON body)", 302, "application/json", '{"name":"","email":"nope","constructor":{"prototype":{"polluted":"yes"}},"deep":{"prototype":{"polluted":"yes"}}}'],
      ["deep nesting in a failing app form (JSON body)", 400, "application/json", `{"name":"","email":"nope","deep":${"[".repeat(30_000)}${"]".repeat(30_000)}}`],
    ] as const;
    for (const [name, expected, type, body] of contactBodies) {
      const before = await redis.hget(`${namespace}:session:${visitor.jar.get("masonite_session")}`, OLD_INPUT_KEY);
      const contact = await visitor.request("/contact", { method: "POST", headers: { "content-type": type, accept: "text/html", referer: `${app.url}/contact`, ...withToken }, body });
      results.push({ name, status: contact.status, expected: String(expected) });
      assert.equal(contact.status, expected, `${name}: ${contact.status} ${contact.body.slice(0, 500)}\n${app.output.slice(-2000)}`);
      const old = await redis.hget(`${namespace}:session:${visitor.jar.get("masonite_session")}`, OLD_INPUT_KEY);
      if (expected === 400) {
        assert.equal(old, before, `${name}: a refused request stored nothing`);
        continue;
      }
      assert.ok(old, `${name}: the old input was flashed`);
      assert.doesNotMatch(old, /__proto__|constructor|prototype|polluted/, `${name}: old input carries poison: ${old}`);
      assert.ok(old.length < 10_000, `${name}: the flashed old input is bounded (${old.length} bytes)`);
    }

    // Session values with pollution keys, planted straight into Redis (what a store shared with something else could hold).
    const planted = randomBytes(32).toString("base64url");
    await redis.hset(`${namespace}:session:${planted}`, {
      [CREATED_FIELD]: String(Date.now()),
      __proto__: '{"polluted":"yes"}',
      constructor: '{"prototype":{"polluted":"yes"}}',
      prototype: '{"polluted":"yes"}',
      x: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
      [FLASH_KEY]: '["__proto__","constructor"]',
    });
    const touched = await client.request("/_rel/touch", { headers: { cookie: `masonite_session=${planted}` } });
    results.push({ name: "pollution keys in stored session values", status: touched.status, expected: "200" });
    assert.equal(touched.status, 200, touched.body);
    const seen = JSON.parse(touched.body) as { keys: string[]; protoOfAll: boolean; pollution: string[] };
    assert.ok(!seen.keys.includes("__proto__"), `the session exposed __proto__: ${seen.keys}`);
    assert.equal(seen.protoOfAll, true, "session.all() kept a plain prototype");
    assert.deepEqual(seen.pollution, []);

    // The lab: setting "__proto__" is refused at the call; "constructor" is just a key.
    const lab = await visitor.request("/_lab", {
      method: "POST",
      headers: { "content-type": "application/json", ...withToken },
      body: json({ ops: [{ op: "set", key: "__proto__", value: { polluted: "yes" } }, { op: "set", key: "constructor", value: { prototype: { polluted: "yes" } } }, { op: "all" }] }),
    });
    assert.equal(lab.status, 200, lab.body);
    const [refusedSet, , all] = (JSON.parse(lab.body) as { results: unknown[] }).results as [{ error: string }, unknown, Record<string, unknown>];
    assert.equal(refusedSet.error, "TypeError");
    assert.doesNotMatch(JSON.stringify(all), /polluted/);

    const end = await health();
    assert.equal(end.pid, pid, "the same process answered throughout");
    assert.ok(app.running);
    assert.deepEqual(end.pollution, [], "no prototype was polluted in the server process");
    t.diagnostic(`[hostile requests] ${results.length} hostile requests, 5xx seen: ${results.filter((r) => r.status >= 500).length}; ` + results.map((r) => `${r.name} -> ${r.status}`).join("; "));
  });

  test("X-Forwarded-* counts only with TRUST_PROXY set (a hop count)", { timeout: 60_000 }, async (t) => {
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "evil.example", "x-forwarded-for": "203.0.113.9" };
    const untrusted = await AppProcess.start({ env: { SESSION_DRIVER: "cookie" } });
    t.after(() => untrusted.kill());
    const trusted = await AppProcess.start({ env: { SESSION_DRIVER: "cookie", TRUST_PROXY: "1" } });
    t.after(() => trusted.kill());
    const a = new HttpClient(untrusted.url);
    const b = new HttpClient(trusted.url);
    t.after(() => {
      a.close();
      b.close();
    });
    const plain = JSON.parse((await a.request("/_rel/origin", { headers: forwarded })).body);
    assert.deepEqual(plain, { protocol: "http", secure: false, host: `127.0.0.1:${untrusted.port}`, ip: "127.0.0.1" });
    const proxied = JSON.parse((await b.request("/_rel/origin", { headers: forwarded })).body);
    assert.deepEqual(proxied, { protocol: "https", secure: true, host: "evil.example", ip: "203.0.113.9" });
    // The session cookie's Secure flag comes from APP_URL (or COOKIE.secure), never from a request header.
    const claim = await a.request("/_rel/claim?owner=x", { headers: forwarded });
    const sessionCookie = claim.headers["set-cookie"]?.find((cookie) => cookie.startsWith("masonite_session="));
    assert.ok(sessionCookie, `the claim set a session cookie: ${JSON.stringify(claim.headers["set-cookie"])}`);
    assert.doesNotMatch(sessionCookie, /Secure/);
    t.diagnostic(`[hostile requests] X-Forwarded-*: ignored without TRUST_PROXY (${JSON.stringify(plain)}), honoured with it (${JSON.stringify(proxied)})`);
  });
});
