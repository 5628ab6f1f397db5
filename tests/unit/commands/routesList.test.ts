import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Next } from "masonite/middleware";
import type { HttpContext } from "masonite/request";
import { routesList } from "masonite/commands";
import type { Kernel } from "masonite/foundation";
import { Route } from "masonite/routes";
import { kernel } from "../../../app/Kernel";

class PagesController {
  show() {}
}

/** A middleware class with a given name, which is what the table prints. */
function middleware(name: string) {
  const type = class {
    async handle(_ctx: HttpContext, next: Next): Promise<void> {
      await next();
    }
  };
  Object.defineProperty(type, "name", { value: name });
  return type;
}

const [Session, Csrf, Throttle, Auth] = ["Session", "Csrf", "Throttle", "Auth"].map(middleware);

function table(routes: Kernel["routes"], routeMiddleware: Kernel["routeMiddleware"] = { auth: Auth! }): string[][] {
  const kernelOf: Kernel = { ...kernel, routes, middlewareGroups: { web: [Session!, Csrf!], api: { middleware: [Throttle!], errors: "json" } }, routeMiddleware };
  return routesList(kernelOf).split("\n").map((line) => line.split(/\s{2,}/));
}

describe("routes:list", () => {
  test("each route's groups and every middleware class it runs, groups' outer first, then its own", () => {
    const rows = table([
      ...Route.group([Route.get("/", [PagesController, "show"]).name("home").middleware("auth")], { middleware: ["web"] }),
      ...Route.group(Route.group([Route.get("/status", [PagesController, "show"]).name("status")], { prefix: "/v1", middleware: ["api"] }), { prefix: "/api", middleware: ["auth"] }),
      Route.get("/bare", [PagesController, "show"]).name("bare"),
    ]);
    assert.deepEqual(rows, [
      ["METHOD", "PATH", "NAME", "ACTION", "GROUP", "MIDDLEWARE"],
      ["GET", "/", "home", "PagesController@show", "web", "Session, Csrf, Auth"],
      ["GET", "/api/v1/status", "status", "PagesController@show", "api", "Auth, Throttle"],
      ["GET", "/bare", "bare", "PagesController@show", "-", "-"],
    ]);
  });

  test("a middleware name the Kernel does not define is a coded error saying where to define it", () => {
    assert.throws(() => table([Route.get("/x", [PagesController, "show"]).middleware("toString")]), (error: Error & { code?: string }) => {
      assert.equal(error.code, "E_UNKNOWN_MIDDLEWARE");
      assert.match(error.message, /GET \/x \(tests\/unit\/commands\/routesList\.test\.ts:\d+\) uses middleware "toString".*middlewareGroups or routeMiddleware in app\/Kernel\.ts\.$/);
      return true;
    });
  });
});
