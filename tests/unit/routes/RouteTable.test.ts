import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Route, RouteTable } from "masonite/routes";

class PagesController {
  show() {}
}

describe("RouteTable", () => {
  test("builds the URL of a grouped route by its full name, encoding its parameters", () => {
    const table = new RouteTable([...Route.group([Route.get("/pages/@slug", [PagesController, "show"]).name("pages.show")], { prefix: "/api", name: "api." })]);
    assert.equal(table.url("api.pages.show", { slug: "a b/c" }), "/api/pages/a%20b%2Fc");
  });

  test("names are unique across groups: the same name from two groups is refused at construction", () => {
    const page = () => Route.get("/p", [PagesController, "show"]).name("page");
    assert.throws(() => new RouteTable([...Route.group([page()], { prefix: "/a" }), ...Route.group([page()], { prefix: "/b" })]), /Two routes are named "page"/);
    assert.doesNotThrow(() => new RouteTable([...Route.group([page()], { prefix: "/a", name: "a." }), ...Route.group([page()], { prefix: "/b", name: "b." })]));
  });

  test("an unknown name or a missing parameter is a coded error", () => {
    const table = new RouteTable([Route.get("/pages/@slug", [PagesController, "show"]).name("pages.show")]);
    assert.throws(() => table.url("nope"), { code: "E_UNKNOWN_ROUTE" });
    assert.throws(() => table.url("pages.show"), { code: "E_MISSING_ROUTE_PARAM" });
  });
});
