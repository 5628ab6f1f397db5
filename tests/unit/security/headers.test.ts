import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, test } from "node:test";
import type { Context } from "koa";
import { securityHeaderDefaults, securityHeaders } from "masonite/security";

/** A context whose response records the headers set on it, with a per-request nonce in res.locals. */
function fakeContext(nonce: string): { ctx: Context; headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>();
  const res = {
    locals: { nonce },
    setHeader: (name: string, value: unknown) => void headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  return { ctx: { req: {} as IncomingMessage, res: res as unknown as ServerResponse } as Context, headers };
}

const nonceOf = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as unknown as { locals: { nonce: string } }).locals.nonce}'`;

describe("security headers", () => {
  test("a CSP directive given as a function is worked out per request: each response carries its own nonce", () => {
    let calls = 0;
    const apply = securityHeaders({
      ...securityHeaderDefaults("http://localhost"),
      contentSecurityPolicy: { directives: { "script-src": ["'self'", (req, res) => (calls++, nonceOf(req, res))] } },
    });
    const first = fakeContext("first-AAAA");
    const second = fakeContext("second-BBBB");
    apply(first.ctx);
    apply(second.ctx);
    assert.equal(calls, 2, "the directive ran once per request");
    assert.match(String(first.headers.get("content-security-policy")), /script-src 'self' 'nonce-first-AAAA'/);
    assert.match(String(second.headers.get("content-security-policy")), /script-src 'self' 'nonce-second-BBBB'/);
    assert.doesNotMatch(String(second.headers.get("content-security-policy")), /first-AAAA/, "no nonce carried over from another request");
    assert.equal(second.headers.get("x-frame-options"), "SAMEORIGIN", "the other headers come along");
  });

  test("a directive function that returns a bad value fails that request, loudly", () => {
    const apply = securityHeaders({ contentSecurityPolicy: { directives: { "script-src": [() => "'self'; img-src *"] } } });
    assert.throws(() => apply(fakeContext("x").ctx), /script-src/);
  });

  test("fixed headers are worked out once and copied to each response, removals included", () => {
    const apply = securityHeaders(securityHeaderDefaults("https://example.com"));
    const first = fakeContext("a");
    first.headers.set("x-powered-by", "Koa");
    apply(first.ctx);
    const second = fakeContext("b");
    apply(second.ctx);
    assert.deepEqual([...first.headers], [...second.headers]);
    assert.equal(first.headers.has("x-powered-by"), false, "helmet's removal is replayed");
    assert.match(String(first.headers.get("content-security-policy")), /upgrade-insecure-requests/);
    assert.match(String(first.headers.get("strict-transport-security")), /max-age=\d+/);
  });
});
