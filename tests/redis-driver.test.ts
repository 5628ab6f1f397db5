import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type Redis from "ioredis";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";
import { lab } from "./support/lab-client";
import { RedisServer, waitFor } from "./support/redis";
import { SuiteSkip } from "./support/skip";

const NAME = "masonite_session";
const NAMESPACE = "masonite4-test"; // tests/support/env.ts

/**
 * Command counts from INFO commandstats, to see exactly what a request sent to Redis: the
 * driver's scripts count as `script` calls (EVAL the first time on a connection, EVALSHA
 * after), and the commands they run inside Redis count under their own names.
 */
async function commandCounts(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  const counts: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
    const name = match[1] === "eval" || match[1] === "evalsha" ? "script" : match[1]!;
    counts[name] = (counts[name] ?? 0) + Number(match[2]);
  }
  return counts;
}

function diff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (delta > 0 && !["info", "ping", "hgetall|test"].includes(name)) out[name] = delta;
  }
  return out;
}

describe("redis driver", () => {
  let server: RedisServer | undefined;
  let app: TestClient;
  let redis: Redis;
  const skips = new SuiteSkip();

  before(async () => {
    server = await RedisServer.startOrSkip(skips);
    if (!server) return;
    app = await startApp({ driver: "redis", redisUrl: server.url });
    redis = server.client();
  });
  after(async () => {
    redis?.disconnect();
    await app?.close();
    await server?.stop();
  });

  function ready(t: { skip: (why: string) => void }): boolean {
    return !skips.skipped(t);
  }

  test("the browser holds only a 256-bit random id; data lives in <namespace>:session:<id> with the redis block's idle TTL", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, { op: "set", key: "cart", value: { items: [1, 2] } });
    const id = c.jar.get(NAME)!;
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(id, "base64url").length, 32);
    const key = `${NAMESPACE}:session:${id}`;
    assert.equal(await redis.hget(key, "cart"), JSON.stringify({ items: [1, 2] }));
    const ttl = await redis.ttl(key);
    assert.ok(ttl > 3500 && ttl <= 3600, `TTL ${ttl}: config/session.ts DRIVERS.redis.timeout, 1 hour (the seed's 60 * 60)`);
  });

  test("a visitor who stores nothing creates no key and gets no cookie", async (t) => {
    if (!ready(t)) return;
    const before = await redis.dbsize();
    const c = app.visitor();
    const page = await c.get("/_lab/all");
    page.assertOk();
    assert.deepEqual(page.headers.getSetCookie(), []);
    assert.equal(await redis.dbsize(), before);
  });

  test("a read-only request is one script call (HGETALL+EXPIRE, one round trip) and writes nothing", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, { op: "set", key: "a", value: 1 });
    const before = await commandCounts(redis);
    // A raw fetch: the test client itself would read the session back afterwards.
    const response = await fetch(`${app.url}/_lab/all`, { headers: { cookie: c.jar.header()! } });
    assert.equal(response.status, 200);
    assert.deepEqual(diff(before, await commandCounts(redis)), { script: 1, hgetall: 1, expire: 1 });
  });

  test("a request that changes keys writes only those keys, in one atomic script call", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, ...Array.from({ length: 50 }, (_, i) => ({ op: "set", key: `k${i}`, value: i })));
    const token = await c.csrfToken();
    const before = await commandCounts(redis);
    const response = await fetch(`${app.url}/_lab`, {
      method: "POST",
      headers: { cookie: c.jar.header()!, "content-type": "application/json", "x-csrf-token": token },
      body: JSON.stringify({ ops: [{ op: "set", key: "k1", value: "changed" }, { op: "delete", key: "k2" }, { op: "increment", key: "n" }] }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(diff(before, await commandCounts(redis)), { script: 2, hgetall: 1, exists: 1, expire: 2, hget: 1, hset: 1, hdel: 1, hincrby: 1 });
    const key = `${NAMESPACE}:session:${c.jar.get(NAME)}`;
    assert.equal(await redis.hget(key, "k1"), '"changed"');
    assert.equal(await redis.hexists(key, "k2"), 0);
    assert.equal(await redis.hget(key, "k3"), "3");
  });

  test("500 concurrent increments in one session end at exactly 500", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, { op: "set", key: "start", value: true });
    const token = await c.csrfToken();
    const responses = await Promise.all(
      Array.from({ length: 500 }, () => c.post("/_lab", { __token: token, ops: [{ op: "increment", key: "n" }] }, { json: true, csrf: false })),
    );
    responses.forEach((r) => r.assertOk());
    assert.deepEqual(await lab(c, { op: "get", key: "n" }), [500]);
  });

  test("concurrent writes of different keys all land", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    const token = await c.csrfToken();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => c.post("/_lab", { __token: token, ops: [{ op: "set", key: `key${i}`, value: i }] }, { json: true, csrf: false })),
    );
    const [all] = (await lab(c, { op: "all" })) as [Record<string, number>];
    for (let i = 0; i < 100; i++) assert.equal(all[`key${i}`], i);
  });

  test("an id Redis does not know is never adopted, nor one from another namespace", async (t) => {
    if (!ready(t)) return;
    const invented = randomBytes(32).toString("base64url");
    for (const presented of [invented, "short", "x".repeat(500), "../../etc", "a:b*c"]) {
      const c = app.visitor();
      c.jar.set(NAME, presented);
      await lab(c, { op: "set", key: "mine", value: 1 });
      assert.notEqual(c.jar.get(NAME), presented);
      assert.equal(await redis.exists(`${NAMESPACE}:session:${presented}`), 0);
    }
    const other = await startApp({ driver: "redis", redisUrl: server!.url, driverConfig: { namespace: "otherapp" } });
    try {
      const c = app.visitor();
      await lab(c, { op: "set", key: "secret", value: "ns1" });
      const foreign = other.visitor();
      foreign.jar.set(NAME, c.jar.get(NAME)!);
      const seen = await foreign.get("/_lab/all", { headers: { accept: "application/json" } });
      assert.deepEqual(seen.json<{ all: unknown }>().all, {});
    } finally {
      await other.close();
    }
  });

  test("a key that is not a session hash is never adopted nor touched", async (t) => {
    if (!ready(t)) return;
    const planted = randomBytes(32).toString("base64url");
    const key = `${NAMESPACE}:session:${planted}`;
    await redis.set(key, "not a hash");
    const c = app.visitor();
    c.jar.set(NAME, planted);
    await lab(c, { op: "set", key: "mine", value: 1 });
    assert.notEqual(c.jar.get(NAME), planted);
    assert.equal(await redis.get(key), "not a hash");
  });

  test("a stored object with a __proto__ key comes back from get() as data, not as a prototype", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, { op: "set", key: "name", value: "x" });
    // Request bodies with such keys are refused (400); a store written by other code may still hold one.
    await redis.hset(`${NAMESPACE}:session:${c.jar.get(NAME)}`, "profile", '{"__proto__":{"admin":true},"name":"x"}');
    const [got] = (await lab(c, { op: "get", key: "profile" })) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(got!), ["__proto__", "name"]);
    assert.deepEqual(Object.getOwnPropertyDescriptor(got, "__proto__")?.value, { admin: true });
  });

  test("an increment whose value a concurrent request replaced is refused whole: 409, nothing of it saved", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, { op: "set", key: "n", value: 1 }, { op: "set", key: "note", value: "before" });
    const key = `${NAMESPACE}:session:${c.jar.get(NAME)}`;
    const token = await c.csrfToken();
    const before = await commandCounts(redis);
    const racing = fetch(`${app.url}/_lab`, {
      method: "POST",
      headers: { cookie: c.jar.header()!, "content-type": "application/json", "x-csrf-token": token, accept: "application/json" },
      body: JSON.stringify({ ops: [{ op: "set", key: "note", value: "after" }, { op: "increment", key: "n" }, { op: "pause", value: 3000 }] }),
    });
    // The replacement must land after the request loaded its session and before it commits:
    // once the load's script has run, the request sits in its pause.
    await waitFor("the racing request to load its session", async () => (diff(before, await commandCounts(redis)).script ?? 0) >= 1);
    await redis.hset(key, "n", JSON.stringify("replaced"));
    const response = await racing;
    assert.equal(response.status, 409);
    assert.deepEqual(await redis.hmget(key, "n", "note"), ['"replaced"', '"before"']);
  });

  test("regenerate moves the data to a new key and deletes the old; invalidate deletes it", async (t) => {
    if (!ready(t)) return;
    const c = app.visitor();
    await lab(c, { op: "set", key: "user", value: "ada" });
    const first = c.jar.get(NAME)!;
    await lab(c, { op: "regenerate" });
    const second = c.jar.get(NAME)!;
    assert.notEqual(second, first);
    assert.equal(await redis.exists(`${NAMESPACE}:session:${first}`), 0);
    assert.equal(await redis.hget(`${NAMESPACE}:session:${second}`, "user"), '"ada"');
    await lab(c, { op: "invalidate" });
    const third = c.jar.get(NAME)!;
    assert.equal(await redis.exists(`${NAMESPACE}:session:${second}`), 0);
    assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    assert.notEqual(third, second);
  });

  test("the absolute lifetime ends an active session", async (t) => {
    if (!ready(t)) return;
    const short = await startApp({ driver: "redis", redisUrl: server!.url, session: { LIFETIME: 1 } });
    try {
      const c = short.visitor();
      await lab(c, { op: "set", key: "a", value: 1 });
      const id = c.jar.get(NAME)!;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.deepEqual(await lab(c, { op: "get", key: "a" }), [null]);
      assert.notEqual(c.jar.get(NAME), id);
      assert.equal(await redis.exists(`${NAMESPACE}:session:${id}`), 0);
    } finally {
      await short.close();
    }
  });

  test("Redis stopped mid-test gives fast 503 pages; the app recovers by itself when Redis is back", { timeout: 60_000 }, async (t) => {
    // A server of its own, even when REDIS_URL names a shared one: this test stops it.
    const own = await RedisServer.startLocalOrSkip(t);
    if (!own) return;
    const ownApp = await startApp({ driver: "redis", redisUrl: own.url });
    t.after(async () => {
      await ownApp.close();
      await own.destroy();
    });
    const c = ownApp.visitor();
    await lab(c, { op: "set", key: "survives", value: "yes" });
    await own.stop();
    const started = Date.now();
    const down = await c.get("/_lab/all");
    down.assertStatus(503).assertSee("the session store is unavailable");
    // Within the 2 s command timeout plus slack for a busy machine; a request waiting for Redis would wait until the restart.
    assert.ok(Date.now() - started < 5000, `failed fast, within the command timeout (${Date.now() - started} ms)`);
    const api = await c.get("/_lab/all", { headers: { accept: "application/json" } });
    assert.equal(api.status, 503);
    assert.deepEqual(api.json(), { error: { status: 503, title: "Service unavailable", message: "Service unavailable" } }, "a 5xx body names no internal code outside debug");
    await own.start();
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await c.get("/_lab/all")).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 200, "the app reconnected by itself");
    // The restarted server is empty (no persistence), so the old id is not adopted.
    assert.deepEqual(await lab(c, { op: "all" }), [{}]);
  });
});
