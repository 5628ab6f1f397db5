import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inject, injectable } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Logger, setLogDestination } from "masonite/core";
import { Request } from "masonite/request";
import { Route } from "masonite/routes";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";

/**
 * Secrets a real request carries, and the shapes an app logs them in: the
 * Node request, Koa's request and context, responses, raw header pairs, deep fields, secret
 * names in every spelling, and an HTTP client's error; plus the framework's own 5xx line.
 */
const SECRETS = {
  bearer: "b3arer-t0ken-9f8e",
  cookie: "s3ss10n-c00kie-7d6c",
  apiKey: "x-ap1-k3y-5b4a",
  query: "qu3ry-t0ken-3a2b",
  setCookie: "s3t-c00kie-1c0d",
  deep: "d33p-passw0rd-e1f2",
  deeper: "d33per-s3cret-a3b4",
  access: "acc3ss-t0ken-c5d6",
  refresh: "r3fresh-t0ken-e7f8",
  confirmation: "passw0rd-c0nf-0a1b",
  namedKey: "n4med-ap1-k3y-2c3d",
  clientSecret: "cl1ent-s3cret-4e5f",
  passphrase: "pa55-phra5e-6a7b",
  passwd: "pa55wd-8c9d",
  errorPassword: "err0r-passw0rd-0e1f",
  clientAuth: "Bearer cl1ent-auth-2a3b",
  responseCookie: "resp0nse-c00kie-4c5d",
};

class ClientError extends Error {
  config = { method: "post", url: "https://api.example/v1/charge", headers: { Accept: "application/json", Authorization: SECRETS.clientAuth } };
  password = SECRETS.errorPassword;
  response = { status: 401, headers: { "set-cookie": [`sid=${SECRETS.responseCookie}`], "content-type": "application/json" } };
}

@injectable()
class LoggingProbe extends Controller {
  constructor(readonly log: Logger) {
    super();
  }

  @inject()
  shapes(request: Request) {
    const ctx = request.ctx;
    ctx.set("Set-Cookie", `probe=${SECRETS.setCookie}`);
    this.log.info("shape: req", { req: ctx.req });
    this.log.info("shape: request", { request: ctx.request });
    this.log.info("shape: ctx", { ctx });
    this.log.info("shape: res", { res: ctx.res, response: ctx.response });
    this.log.info("shape: raw header pairs", { rawHeaders: ctx.req.rawHeaders, pair: ["Authorization", ctx.get("authorization")] });
    this.log.info("shape: deep", { a: { b: { c: { user: { password: SECRETS.deep } } } }, z: [[[[[[[[{ secret: SECRETS.deeper }]]]]]]]] });
    this.log.info("shape: names", {
      access_token: SECRETS.access,
      refreshToken: SECRETS.refresh,
      password_confirmation: SECRETS.confirmation,
      "X-Api-Key": SECRETS.namedKey,
      clientSecret: SECRETS.clientSecret,
      passphrase: SECRETS.passphrase,
      PASSWD: SECRETS.passwd,
    });
    this.log.error("shape: client error", { err: new ClientError("the payment API refused the charge", { cause: new Error("401 Unauthorized") }) });
    this.log.pino.info({ direct: { authorization: SECRETS.bearer } }, "shape: pino itself");
    this.log.info("shape: the framework's Request", { request });
    return "logged";
  }

  fails() {
    throw new ClientError("the payment API refused the charge");
  }
}

describe("log redaction: the shapes an app logs, and the framework's own error line", () => {
  let app: TestClient;
  const lines: string[] = [];
  before(async () => {
    const previous = setLogDestination({ write: (line: string) => void lines.push(line) });
    try {
      app = await startApp({
        logging: { LEVEL: "info", PRETTY: false },
        routes: [Route.get("/_redact/shapes", [LoggingProbe, "shapes"]), Route.get("/_redact/fails", [LoggingProbe, "fails"])],
      });
    } finally {
      setLogDestination(previous);
    }
  });
  after(() => app.close());

  const headers = { authorization: `Bearer ${SECRETS.bearer}`, cookie: `masonite_session=${SECRETS.cookie}`, "x-api-key": SECRETS.apiKey, "x-request-id": "req-42" };
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string });
  const line = (msg: string) => {
    const found = parsed().find((entry) => entry.msg === msg);
    assert.ok(found, `a line "${msg}" was logged`);
    return found;
  };

  test("requests, contexts, responses, raw headers, deep fields, secret names and client errors: no secret is written", async () => {
    lines.length = 0;
    (await app.get(`/_redact/shapes?access_token=${SECRETS.query}&page=2`, { headers })).assertOk();
    const all = lines.join("");
    for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!all.includes(secret), `${name} (${secret}) reached the log`);

    // Redacted, not dropped: what is not secret is still there to read.
    const req = line("shape: req").req as { method: string; url: string; headers: Record<string, string> };
    assert.equal(req.method, "GET");
    assert.equal(req.url, "/_redact/shapes", "the path, without the query string");
    assert.equal(req.headers["x-request-id"], "req-42");
    assert.equal(req.headers.authorization, "[Redacted]");
    assert.equal(req.headers["x-api-key"], "[Redacted]");
    assert.deepEqual((line("shape: ctx").ctx as { request: unknown }).request, line("shape: request").request);
    assert.equal((line("shape: res").res as { headers: Record<string, string> }).headers["set-cookie"], "[Redacted]");
    const raw = line("shape: raw header pairs").rawHeaders as string[];
    assert.equal(raw[raw.findIndex((name) => /^x-request-id$/i.test(name)) + 1], "req-42");
    const err = line("shape: client error").err as { type: string; message: string; stack: string; config: { url: string; headers: Record<string, string> }; response: { status: number } };
    assert.equal(err.type, "ClientError");
    assert.equal(err.message, "the payment API refused the charge: 401 Unauthorized");
    assert.match(err.stack, /caused by: Error: 401 Unauthorized/);
    assert.equal(err.config.url, "https://api.example/v1/charge");
    assert.equal(err.config.headers.Authorization, "[Redacted]");
    assert.equal(err.response.status, 401);
    assert.equal((line("shape: pino itself").direct as Record<string, string>).authorization, "[Redacted]");
    const framework = line("shape: the framework's Request").request as { ctx: { request: { headers: Record<string, string> } } };
    assert.equal(framework.ctx.request.headers["x-api-key"], "[Redacted]");
  });

  test("the framework's own 5xx line keeps the error's stack and fields, without their secrets", async () => {
    lines.length = 0;
    (await app.get("/_redact/fails", { headers })).assertStatus(500);
    const failure = parsed().find((entry) => entry.level === 50);
    assert.ok(failure, "the 500 was logged as an error");
    const err = failure.err as { stack: string; config: { headers: Record<string, string> }; password: string };
    assert.match(err.stack, /at LoggingProbe\.fails/);
    assert.equal(err.config.headers.Authorization, "[Redacted]");
    assert.equal(err.password, "[Redacted]");
    const all = lines.join("");
    for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!all.includes(secret), `${name} (${secret}) reached the log`);
  });
});
