import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { describe, test } from "node:test";
import fc from "fast-check";
import Koa from "koa";
import { Response } from "masonite/response";
import { RouteTable } from "masonite/routes";

/** A real Koa context for a POST to http://app.test/contact with the given Referer. */
function responseFor(referer: string | undefined): Response {
  const req = new IncomingMessage(new Socket());
  req.method = "POST";
  req.url = "/contact";
  req.headers = { host: "app.test", ...(referer === undefined ? {} : { referer }) };
  return new Response(new Koa().createContext(req, new ServerResponse(req)), new RouteTable([]));
}

const locationAfterBack = (referer: string | undefined) => responseFor(referer).back().ctx.response.get("Location");

describe("Response.back()", () => {
  test("goes back to this site's page, query kept; anything else falls back to /", () => {
    assert.equal(locationAfterBack("http://app.test/contact?step=2"), "/contact?step=2");
    for (const referer of [undefined, "", "not a url", "http://evil.test/contact", "https://app.test.evil.test/", "http://app.test//evil.test/x", "http://app.test/%2F%2Fevil.test", "http://app.test/%5Cevil.test", "http://app.test/%E0%A4%A"]) {
      assert.equal(locationAfterBack(referer), "/", `Referer ${JSON.stringify(referer)}`);
    }
  });

  test("whatever the Referer, the redirect stays on this site: one leading slash, no other host", () => {
    const onSite = fc.webPath().map((path) => `http://app.test${path.startsWith("/") ? path : `/${path}`}`);
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), onSite, fc.string(), onSite.map((url) => url.replace("app.test/", "app.test//"))), (referer) => {
        const location = locationAfterBack(referer);
        assert.match(location, /^\/(?![/\\])/, `Referer ${referer} -> ${location}`);
        assert.match(decodeURIComponent(location.split("?")[0]!), /^\/(?![/\\])/, `Referer ${referer} -> ${location}`);
        assert.equal(new URL(location, "http://app.test").host, "app.test");
      }),
      { numRuns: 300 },
    );
  });

  test("route-less answers: status, header, json and html set what they say", () => {
    const json = responseFor(undefined).json({ ok: true }, 201);
    assert.equal(json.ctx.status, 201);
    assert.deepEqual(json.ctx.body, { ok: true });
    const html = responseFor(undefined).header("X-Thing", "1").html("<p>hi</p>", 422);
    assert.equal(html.ctx.status, 422);
    assert.equal(html.ctx.response.get("X-Thing"), "1");
    assert.match(String(html.ctx.response.get("Content-Type")), /^text\/html/);
    assert.equal(responseFor(undefined).redirect("/login", 303).ctx.response.get("Location"), "/login");
  });
});
