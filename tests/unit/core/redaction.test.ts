import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { describe, test } from "node:test";
import fc from "fast-check";
import Koa from "koa";
import { Logger } from "masonite/core";

/** A Logger writing into an array, one entry per line. */
function recorded(pretty = false): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger({ PRETTY: pretty }, { write: (line: string) => void lines.push(line) }), lines };
}

/** A Koa context over a Node request that was never sent: the objects an app's middleware holds. */
function koaContext(headers: Record<string, string>, rawHeaders: string[]): Koa.Context {
  const req = new IncomingMessage(new Socket());
  req.method = "POST";
  req.url = "/login?reset_token=qu3ry-s3cret";
  req.headers = headers;
  req.rawHeaders = rawHeaders;
  const res = new ServerResponse(req);
  res.setHeader("Set-Cookie", "masonite_session=s3t-c00kie");
  return new Koa().createContext(req, res);
}

describe("log redaction", () => {
  test("secret names match in any case and spelling; other names pass", () => {
    const secretNames = ["password", "Password", "PASSWD", "passphrase", "password_confirmation", "new-password", "userPassword", "token", "_token", "__token", "access_token", "accessToken", "refresh-token", "X-CSRF-TOKEN", "api_key", "apiKey", "X-Api-Key", "api key", "secret", "clientSecret", "client_secret", "authorization", "Proxy-Authorization", "cookie", "Set-Cookie", "cookies", "key", "KEY", "APP_KEY", "PREVIOUS_KEYS", "privateKey", "signing-key", "credentials", "db_credential", "cc", "cvv", "cardCvc", "card_number", "ccNumber", "credit_card", "security_code", "otp", "otp_code", "totp", "ssn", "user_ssn"];
    const plainNames = ["name", "email", "method", "path", "status", "ms", "user_id", "count", "api", "pass", "session_count", "keyboard", "monkey", "keys_pressed", "key_count", "hotpot", "cc_email", "accent", "succeeded", "boss_name"];
    const { logger, lines } = recorded();
    logger.info("names", { hidden: Object.fromEntries(secretNames.map((name) => [name, `v4lue-of-${name}`])), plain: Object.fromEntries(plainNames.map((name) => [name, `v4lue-of-${name}`])) });
    const { hidden, plain } = JSON.parse(lines[0]!) as Record<string, Record<string, string>>;
    for (const name of secretNames) assert.equal(hidden![name], "[Redacted]", name);
    for (const name of plainNames) assert.equal(plain![name], `v4lue-of-${name}`, name);
  });

  test("the password of a URL in a logged string is redacted, in fields and in the message; the rest of the URL stays", () => {
    const { logger, lines } = recorded();
    logger.error("cannot reach redis://:r3dis-pw@cache:6379/0", {
      url: "postgres://app:pg-p@ss@db.internal/app",
      note: "tried amqp://guest:gu3st@mq:5672 and http://web:8080/a@b?u=x:y@z",
      nested: [{ dsn: "mysql://root:r00t@localhost/db" }],
    });
    const line = JSON.parse(lines[0]!) as { msg: string; url: string; note: string; nested: { dsn: string }[] };
    assert.equal(line.msg, "cannot reach redis://:[Redacted]@cache:6379/0");
    assert.equal(line.url, "postgres://app:[Redacted]@db.internal/app");
    assert.equal(line.note, "tried amqp://guest:[Redacted]@mq:5672 and http://web:8080/a@b?u=x:y@z");
    assert.equal(line.nested[0]!.dsn, "mysql://root:[Redacted]@localhost/db");
    for (const secret of ["r3dis-pw", "pg-p@ss", "gu3st", "r00t"]) assert.ok(!lines[0]!.includes(secret), secret);
  });

  test("a Node request, Koa's request, response and context, and raw header pairs: headers redacted, the path without its query", () => {
    const headers = { authorization: "Bearer b3arer", cookie: "masonite_session=s3ss10n", "x-api-key": "k3y", "user-agent": "curl/8" };
    const ctx = koaContext(headers, ["Authorization", "Bearer b3arer", "Cookie", "masonite_session=s3ss10n", "X-Api-Key", "k3y", "User-Agent", "curl/8"]);
    const { logger, lines } = recorded();
    logger.info("shapes", { req: ctx.req, res: ctx.res, request: ctx.request, response: ctx.response, ctx, raw: ctx.req.rawHeaders });
    for (const secret of ["b3arer", "s3ss10n", "k3y", "qu3ry-s3cret", "s3t-c00kie"]) assert.doesNotMatch(lines[0]!, new RegExp(secret), secret);
    const line = JSON.parse(lines[0]!) as Record<string, Record<string, unknown>>;
    assert.deepEqual(line.req, { method: "POST", url: "/login", headers: { authorization: "[Redacted]", cookie: "[Redacted]", "x-api-key": "[Redacted]", "user-agent": "curl/8" } });
    assert.deepEqual(line.request, line.req);
    assert.deepEqual(line.ctx, { request: line.req, response: line.res });
    assert.deepEqual(line.res, { statusCode: 200, headers: { "set-cookie": "[Redacted]" } });
    assert.deepEqual(line.raw, ["Authorization", "[Redacted]", "Cookie", "[Redacted]", "X-Api-Key", "[Redacted]", "User-Agent", "curl/8"]);
  });

  test("errors: pino's shape (type, message and stack with causes), their own fields walked and redacted", () => {
    const error = Object.assign(new TypeError("request failed", { cause: new Error("401") }), {
      config: { url: "https://api.example/x", headers: { Authorization: "Bearer cl1ent" } },
      password: "err-pw",
      response: { status: 401, headers: new Headers({ "set-cookie": "sid=h3aders" }), data: { token: "b0dy-t0ken" } },
    });
    const { logger, lines } = recorded();
    logger.error("failed", { err: error, nested: { deeper: { failure: error } } });
    for (const secret of ["cl1ent", "err-pw", "h3aders", "b0dy-t0ken"]) assert.doesNotMatch(lines[0]!, new RegExp(secret), secret);
    const { err, nested } = JSON.parse(lines[0]!) as { err: Record<string, unknown>; nested: { deeper: { failure: unknown } } };
    assert.equal(err.type, "TypeError");
    assert.equal(err.message, "request failed: 401");
    assert.match(err.stack as string, /caused by: Error: 401/);
    assert.deepEqual(err.config, { url: "https://api.example/x", headers: { Authorization: "[Redacted]" } });
    assert.deepEqual(err.response, { status: 401, headers: { "set-cookie": "[Redacted]" }, data: { token: "[Redacted]" } });
    assert.deepEqual(nested.deeper.failure, err);
  });

  test("any depth: a secret 40 levels down is found; past 1,000 levels or the size budget values are truncated, never written unchecked", () => {
    let deep: Record<string, unknown> = { password: "d33p" };
    for (let i = 0; i < 40; i++) deep = i % 2 ? { level: deep } : { list: [deep] };
    let endless: Record<string, unknown> = { secret: "b0ttom" };
    for (let i = 0; i < 5_000; i++) endless = { next: endless, password: `pw-${i}` };
    const wide = Array.from({ length: 20_000 }, (_, i) => ["name", `v${i}`, "token", `t0k-${i}`]);
    const { logger, lines } = recorded();
    logger.info("deep", { deep, endless, wide });
    assert.doesNotMatch(lines[0]!, /d33p|b0ttom|pw-\d|t0k-\d/);
    assert.match(lines[0]!, /\[Truncated\]/);
    assert.ok(lines[0]!.length < 1_000_000, `a bounded line (${lines[0]!.length} characters)`);
  });

  test("cycles are cut, shared objects are written twice, and the caller's objects are not changed", () => {
    const shared = { password: "sh4red", note: "n" };
    const loop: Record<string, unknown> = { name: "loop", shared };
    loop.self = loop;
    const { logger, lines } = recorded();
    logger.info("cycles", { loop, again: shared, map: new Map([["cookie", "m4p"]]) });
    const line = JSON.parse(lines[0]!) as Record<string, Record<string, unknown>>;
    assert.equal(line.loop!.self, "[Circular]");
    assert.deepEqual(line.again, { password: "[Redacted]", note: "n" });
    assert.deepEqual(line.map, { cookie: "[Redacted]" });
    assert.equal(shared.password, "sh4red");
    assert.equal(loop.self, loop);
  });

  test("a field whose getter throws costs the line its fields, not the request", () => {
    const { logger, lines } = recorded();
    logger.info("odd", { odd: { get boom() { throw new Error("no"); } } });
    assert.deepEqual(JSON.parse(lines[0]!).fields, "[Truncated]");
  });

  test("pino used directly and pretty lines are redacted too", () => {
    const json = recorded();
    json.logger.pino.info({ user: { password: "d1rect" } }, "direct");
    assert.doesNotMatch(json.lines[0]!, /d1rect/);
    const pretty = recorded(true);
    pretty.logger.info("pretty", { headers: { Authorization: "Bearer pr3tty" } });
    assert.doesNotMatch(pretty.lines[0]!, /pr3tty/);
    assert.match(pretty.lines[0]!, /\[Redacted\]/);
  });

  test("property: a secret-named field, spelt any way, anywhere in any JSON structure, never reaches the line", () => {
    const separators = fc.constantFrom("", "_", "-", ".", " ");
    const secretName = fc
      .tuple(fc.constantFrom("access", "refresh", "x", "user", "new", ""), separators, fc.constantFrom("token", "password", "passwd", "passphrase", "secret", "api key", "apikey", "authorization", "cookie"), separators, fc.constantFrom("", "confirmation", "value"), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }))
      .map(([prefix, a, core, b, suffix, flips]) => [...`${prefix}${prefix ? a : ""}${core}${suffix ? b : ""}${suffix}`].map((char, i) => (flips[i] ? char.toUpperCase() : char)).join(""));
    const plainKey = fc.constantFrom("a", "b", "items", "user", "data", "0");
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.array(fc.tuple(plainKey, fc.boolean()), { maxLength: 12 }), secretName, (json, path, name) => {
        const secret = "Sup3r-S3cret-Value";
        let node: unknown = { [name]: secret };
        for (const [key, asArray] of path.reverse()) node = asArray ? [JSON.parse(json), node] : { [key]: node, other: JSON.parse(json) };
        const { logger, lines } = recorded();
        logger.info("property", { node });
        assert.ok(!lines[0]!.includes(secret), `${name} at ${JSON.stringify(path)} leaked`);
      }),
      { numRuns: 300 },
    );
  });
});
