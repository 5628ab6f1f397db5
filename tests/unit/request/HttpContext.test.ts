import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { describe, test } from "node:test";
import Koa from "koa";
import { createRootContainer } from "masonite/container";
import { HttpContext, Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route, RouteTable } from "masonite/routes";
import { View } from "masonite/views";
import { Controller } from "masonite/controllers";
import { contextFor, testHttpApp } from "../../support/httpContext";

class PagesController extends Controller {
  show() {
    return "page";
  }
}

/** A real Koa context for GET /pages?q=1 with a Cookie header, and its HttpContext. */
function context(headers: Record<string, string> = { cookie: "a=1; b=2; a=3" }): HttpContext {
  const req = new IncomingMessage(new Socket());
  req.method = "GET";
  req.url = "/pages?q=1";
  req.headers = { host: "app.test", ...headers };
  const root = createRootContainer();
  let children = 0;
  const create = root.createChildContainer.bind(root);
  root.createChildContainer = () => {
    children++;
    return create();
  };
  const routes = new RouteTable([Route.get("/pages/@slug", [PagesController, "show"]).name("pages.show")]);
  const ctx = contextFor(new Koa().createContext(req, new ServerResponse(req)), testHttpApp({ routes, container: root }));
  Object.defineProperty(ctx, "children", { get: () => children });
  return ctx;
}

describe("HttpContext", () => {
  test("is made with nothing parsed: the Cookie header is read on first use, once", () => {
    const ctx = context();
    let parsed = 0;
    const get = ctx.koa.get.bind(ctx.koa);
    ctx.koa.get = ((name: string) => {
      if (name === "Cookie") parsed++;
      return get(name);
    }) as typeof ctx.koa.get;
    assert.equal(ctx.koa.http, ctx, "Koa's context reaches it through its one field");
    assert.equal(parsed, 0, "the Cookie header is not read at construction");
    assert.deepEqual([...ctx.cookies], [["a", "1"], ["b", "2"]], "the first of two cookies with one name wins");
    assert.equal(ctx.cookies, ctx.cookies, "parsed once");
    assert.equal(parsed, 1);
  });

  test("Request, Response and View are made on first use, once", () => {
    const ctx = context();
    assert.ok(ctx.request instanceof Request);
    assert.equal(ctx.request, ctx.request);
    assert.equal(ctx.request.http, ctx);
    assert.ok(ctx.response instanceof Response);
    assert.equal(ctx.response, ctx.response);
    assert.equal(Object.hasOwn(ctx, "view"), false, "no View until asked");
    assert.ok(ctx.view instanceof View);
    assert.equal(ctx.view, ctx.view);
    assert.equal(Object.hasOwn(ctx, "view"), true, "then kept as a plain value");
  });

  test("the scope makes no child container for what it can build bare", () => {
    const ctx = context();
    class Plain {}
    assert.equal(ctx.scope, ctx.scope, "one scope per request");
    assert.ok(ctx.scope.resolve(Plain) instanceof Plain);
    assert.equal((ctx as unknown as { children: number }).children, 0);
  });

  test("builds URLs from its app's routes, and reads the matched route's params", () => {
    const ctx = context();
    assert.equal(ctx.urlFor("pages.show", { slug: "a b" }), "/pages/a%20b");
    assert.deepEqual({ ...ctx.params }, {});
    ctx.params = { slug: "x" };
    assert.equal(ctx.request.param("slug"), "x");
  });

  test("a body left for the route is read once, whoever asks first", async () => {
    const ctx = context();
    assert.equal(ctx.bodyPending, false);
    await ctx.readBody(); // nothing waits: resolves at once
    let reads = 0;
    ctx.waitForBody({
      read: async (http) => {
        reads++;
        http.body = { name: "Ann" };
      },
    });
    assert.equal(ctx.bodyPending, true);
    assert.equal(ctx.request.input("name"), undefined, "a middleware asking early sees no field yet");
    await Promise.all([ctx.readBody(), ctx.readBody()]);
    assert.equal(reads, 1);
    assert.equal(ctx.bodyPending, false);
    assert.equal(ctx.request.input("name"), "Ann", "the fields reach the Request once read");
    assert.equal(ctx.request.input("q"), "1", "the query string too");
  });
});
