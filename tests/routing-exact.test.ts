import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Context } from "koa";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import type { Middleware, Next } from "masonite/middleware";
import { Request, type HttpContext } from "masonite/request";
import { Route } from "masonite/routes";
import { TestClient } from "masonite/testing";
import { testKernel } from "./support/app";

class ProbeController extends Controller {
  @inject()
  user(request: Request, id: string) {
    return { route: "users.show", id, param: request.param("id") };
  }

  me() {
    return { route: "users.me" };
  }

  plain() {
    return { route: "plain" };
  }
}

/** What @koa/router tells the app's middleware about the route it picked, as seen after the controller ran. */
class RecordRouting implements Middleware {
  async handle(http: HttpContext, next: Next): Promise<void> {
    await next();
    const ctx = http.koa;
    const routed = ctx as Context & { params: unknown; captures: unknown; routerPath: unknown; routerName: unknown; _matchedRoute: unknown; _matchedRouteName: unknown; matched: Array<{ path: string }>; routeMatched: unknown };
    ctx.set(
      "X-Routing",
      JSON.stringify({
        params: routed.params,
        requestParams: (ctx.request as unknown as { params: unknown }).params,
        captures: routed.captures,
        routerPath: routed.routerPath,
        routerName: routed.routerName,
        matchedRoute: routed._matchedRoute,
        matchedRouteName: routed._matchedRouteName,
        matched: routed.matched.map((layer) => layer.path),
        routeMatched: routed.routeMatched,
      }),
    );
  }
}

// Routes with a fixed path are found by a lookup in front of @koa/router (it
// saves the router's per-request work). Every answer must stay the router's: which route runs, on which
// spellings of the path, for which methods, and what the context says about the route.
describe("routes with a fixed path answer exactly as @koa/router routes them", () => {
  let app: TestClient;
  before(async () => {
    const kernel = testKernel();
    const probes = Route.group(
      [
        Route.get("/probe/users/@id", [ProbeController, "user"]).name("probe.users.show"),
        // Registered after the parameter route, which @koa/router therefore picks for /probe/users/me.
        Route.get("/probe/users/me", [ProbeController, "me"]).name("probe.users.me"),
        Route.get("/probe/plain", [ProbeController, "plain"]).name("probe.plain").middleware("routing"),
      ],
      { middleware: ["api"] },
    );
    app = await TestClient.start({ ...kernel, routes: [...kernel.routes, ...probes], routeMiddleware: { ...kernel.routeMiddleware, routing: RecordRouting } });
  });
  after(() => app.close());

  test("a fixed path that a parameter route registered before it also matches goes to the parameter route", async () => {
    const response = await app.get("/probe/users/me");
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { route: "users.show", id: "me", param: "me" });
  });

  test("the other spellings the router accepts (trailing slash, case) reach the same route", async () => {
    for (const path of ["/probe/plain", "/probe/plain/", "/PROBE/Plain"]) {
      const response = await app.get(path);
      assert.equal(response.status, 200, path);
      assert.deepEqual(response.json(), { route: "plain" }, path);
    }
  });

  test("HEAD is served by a GET route, and another method is a 405 with the router's Allow", async () => {
    const head = await fetch(`${app.url}/probe/plain`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    const post = await fetch(`${app.url}/probe/plain`, { method: "DELETE", headers: { accept: "application/json" } });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "HEAD, GET");
  });

  test("middleware sees the fields @koa/router sets: params, route path and name, the matched layers", async () => {
    const expected = {
      params: {},
      requestParams: {},
      captures: [],
      routerPath: "/probe/plain",
      routerName: "probe.plain",
      matchedRoute: "/probe/plain",
      matchedRouteName: "probe.plain",
      matched: ["/probe/plain"],
      routeMatched: true,
    };
    // The exact spelling takes the lookup; "/probe/plain/" goes through the router itself.
    for (const path of ["/probe/plain", "/probe/plain/"]) {
      const response = await app.get(path);
      assert.deepEqual(JSON.parse(response.header("x-routing") ?? "null"), expected, path);
    }
  });
});
