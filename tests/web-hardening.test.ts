import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Application, ConfigurationError, type Kernel } from "masonite/foundation";
import { Request } from "masonite/request";
import { Route } from "masonite/routes";
import { TestClient, type TestResponse } from "masonite/testing";
import { securityHeaderDefaults } from "masonite/security";
import { startApp, type TestAppOptions, testKernel } from "./support/app";
import { PROBE_ROUTES } from "./support/probes";

/** Boots the test app with these settings and hands back the start-up error it must raise. */
async function bootError(app: TestAppOptions["app"]): Promise<ConfigurationError> {
  try {
    const application = await Application.create(testKernel({ app }));
    await application.close();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `a ConfigurationError, not ${String(error)}`);
    return error;
  }
  assert.fail(`the app booted with ${JSON.stringify(app)}`);
}

describe("APP_ENV is read case-insensitively and checked", () => {
  for (const ENV of ["Production", "PRODUCTION", " production", "production\n"]) {
    test(`APP_ENV=${JSON.stringify(ENV)} with APP_DEBUG=true does not start`, async () => {
      const error = await bootError({ ENV, DEBUG: true });
      assert.equal(error.code, "E_DEBUG_IN_PRODUCTION");
    });
  }

  test("an APP_ENV that is none of the known values stops start-up, naming them", async () => {
    for (const ENV of ["staging", "prod", ""]) {
      const error = await bootError({ ENV, DEBUG: false });
      assert.equal(error.code, "E_UNKNOWN_APP_ENV");
      assert.match(error.message, /one of development, production, testing\.$/);
    }
  });
});

/** The test kernel with config/security.ts HEADERS replaced. */
function withHeaders(HEADERS: NonNullable<Kernel["config"]["security"]>["HEADERS"]): Kernel {
  const kernel = testKernel({ routes: PROBE_ROUTES });
  return { ...kernel, config: { ...kernel.config, security: { HEADERS } } };
}

function assertSecurityHeaders(response: TestResponse, what: string): void {
  assert.equal(response.header("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assert.equal(response.header("x-frame-options"), "SAMEORIGIN", `${what}: X-Frame-Options`);
  assert.match(response.header("content-security-policy") ?? "", /(^|;)frame-ancestors 'self'(;|$)/, `${what}: CSP frame-ancestors`);
  // Styles only from the site's own files, as docs/security.md says: no inline styles, no other https: origin.
  assert.match(response.header("content-security-policy") ?? "", /(^|;)style-src 'self'(;|$)/, `${what}: CSP style-src`);
  assert.equal(response.header("referrer-policy"), "strict-origin-when-cross-origin", `${what}: Referrer-Policy`);
}

describe("security headers", () => {
  let app: TestClient;
  before(async () => {
    app = await startApp({ routes: PROBE_ROUTES });
  });
  after(() => app.close());

  test("pages, static files and every error page carry them", async () => {
    assertSecurityHeaders((await app.get("/")).assertOk(), "the welcome page");
    assertSecurityHeaders((await app.get("/css/app.css")).assertOk(), "a static file");
    assertSecurityHeaders((await app.get("/no/such/page")).assertStatus(404), "the 404 page");
    assertSecurityHeaders((await app.get("/no/such/page", { headers: { accept: "application/json" } })).assertStatus(404), "a JSON 404");
    assertSecurityHeaders((await app.get("/_probe/boom")).assertStatus(500), "the 500 page");
    assertSecurityHeaders((await app.post("/contact", { name: "x" }, { csrf: false })).assertStatus(419), "the 419 page");
    assertSecurityHeaders((await app.delete("/contact", {})).assertStatus(405), "the 405 page");
  });

  test("on a plain-http APP_URL nothing is upgraded to https and no HSTS is sent; on https both are", async () => {
    const page = await app.get("/");
    assert.doesNotMatch(page.header("content-security-policy") ?? "", /upgrade-insecure-requests/);
    assert.equal(page.header("strict-transport-security"), null);
    const https = await TestClient.start(withHeaders(securityHeaderDefaults("https://example.com")));
    try {
      const secure = await https.get("/");
      assert.match(secure.header("content-security-policy") ?? "", /upgrade-insecure-requests/);
      assert.match(secure.header("strict-transport-security") ?? "", /max-age=\d+/);
    } finally {
      await https.close();
    }
  });

  test("HEADERS in config/security.ts decides them, and helmet's refusal of an option stops start-up", async () => {
    const custom = await TestClient.start(withHeaders({ xFrameOptions: { action: "deny" }, referrerPolicy: { policy: "no-referrer" }, contentSecurityPolicy: false }));
    try {
      for (const response of [await custom.get("/"), await custom.get("/no/such/page")]) {
        assert.equal(response.header("x-frame-options"), "DENY");
        assert.equal(response.header("referrer-policy"), "no-referrer");
        assert.equal(response.header("content-security-policy"), null);
      }
    } finally {
      await custom.close();
    }
    await assert.rejects(Application.create(withHeaders({ contentSecurityPolicy: { directives: { "default-src": null } } })), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.code, "E_BAD_SECURITY_HEADERS");
      assert.match(error.message, /^helmet refuses HEADERS in config\/security.ts \(Content-Security-Policy needs a default-src.*\): fix that option/);
      return true;
    });
  });
});

/** Sets the headers a response under way could have, then fails. */
class HalfDoneController extends Controller {
  @inject()
  fail(request: Request): never {
    request.ctx.cookies.set("half_done", "1");
    request.ctx.set({ Location: "/elsewhere", "X-Probe": "yes", Allow: "GET" });
    throw new Error("failed after setting headers");
  }
}

describe("error pages keep the headers that describe the refusal", () => {
  let app: TestClient;
  before(async () => {
    app = await startApp({ routes: [Route.get("/_probe/fail-after-headers", [HalfDoneController, "fail"])] });
  });
  after(() => app.close());

  test("a 405, as a page or as JSON, names the methods the path takes in Allow", async () => {
    for (const accept of ["text/html", "application/json"]) {
      const refused = (await app.delete("/contact", {}, { headers: { accept } })).assertStatus(405);
      assert.equal(refused.header("allow"), "HEAD, GET, POST", `Allow on the ${accept} 405`);
      assertSecurityHeaders(refused, `the ${accept} 405`);
      assert.match(refused.text, /Method not allowed/, `the ${accept} 405 is the error page`);
    }
    const unknown = await app.request("PROPFIND", "/contact", undefined);
    assert.equal(unknown.status, 501);
    assert.equal(unknown.header("allow"), "HEAD, GET, POST");
  });

  test("headers of the failed attempt stay out: its session cookie, its redirect, its own headers", async () => {
    const failed = await app.get("/_probe/fail-after-headers");
    failed.assertStatus(500);
    assert.equal(failed.header("set-cookie"), null);
    assert.equal(failed.header("location"), null);
    assert.equal(failed.header("x-probe"), null);
    assert.equal(failed.header("allow"), null, "Allow set by a controller that then failed with a 500 says nothing about the 500");
    assertSecurityHeaders(failed, "the 500 page");
  });
});

interface ErrorBody {
  error: { status: number; title: string; message: string; code?: string };
}

describe("JSON error bodies: stable codes on 4xx, none on 5xx outside debug", () => {
  const json = { accept: "application/json" };

  test("a 5xx names no internal code and gives a generic message; debug mode shows both", async () => {
    const app = await startApp({ routes: PROBE_ROUTES });
    const debug = await startApp({ routes: PROBE_ROUTES, app: { DEBUG: true } });
    try {
      const tooLarge = await app.post("/_lab/big", { bytes: 20_000 }, { headers: json });
      assert.equal(tooLarge.status, 500);
      assert.deepEqual(tooLarge.json<ErrorBody>(), { error: { status: 500, title: "Something went wrong", message: "Something went wrong" } });
      const unbuildable = await app.get("/_probe/unbuildable", { headers: json });
      assert.deepEqual(unbuildable.json<ErrorBody>(), { error: { status: 500, title: "Something went wrong", message: "Something went wrong" } });

      const debugTooLarge = (await debug.post("/_lab/big", { bytes: 20_000 }, { headers: json })).json<ErrorBody>();
      assert.equal(debugTooLarge.error.code, "E_SESSION_TOO_LARGE");
      assert.match(debugTooLarge.error.message, /over its store's limit/);
      assert.equal((await debug.get("/_probe/unbuildable", { headers: json })).json<ErrorBody>().error.code, "E_UNRESOLVABLE_PARAMETER");
    } finally {
      await Promise.all([app.close(), debug.close()]);
    }
  });

  test("4xx bodies keep their codes: E_CSRF_TOKEN_MISMATCH (419), E_INPUT_TOO_DEEP (400)", async () => {
    const app = await startApp({ routes: PROBE_ROUTES });
    try {
      const csrf = await app.post("/_probe/echo", { a: "1" }, { csrf: false, headers: json });
      assert.equal(csrf.status, 419);
      assert.equal(csrf.json<ErrorBody>().error.code, "E_CSRF_TOKEN_MISMATCH");
      let deep: unknown = "bottom";
      for (let i = 0; i < 40; i++) deep = { deep };
      const tooDeep = await app.post("/_probe/echo", { deep }, { json: true, headers: json });
      assert.equal(tooDeep.status, 400);
      assert.equal(tooDeep.json<ErrorBody>().error.code, "E_INPUT_TOO_DEEP");
    } finally {
      await app.close();
    }
  });
});
