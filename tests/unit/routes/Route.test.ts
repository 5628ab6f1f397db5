import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Route } from "masonite/routes";

class UsersController {
  index() {}
  show() {}
}

describe("Route.group", () => {
  test("prefixes the path and the name, puts its middleware before the route's own", () => {
    const [route] = Route.group([Route.get("/users/@id", [UsersController, "show"]).name("show").middleware("auth")], { prefix: "/admin", name: "admin.", middleware: ["web"] });
    assert.equal(route!.path, "/admin/users/@id");
    assert.equal(route!.routerPath, "/admin/users/:id");
    assert.equal(route!.routeName, "admin.show");
    assert.deepEqual(route!.middlewareNames, ["web", "auth"]);
    assert.deepEqual(route!.paramNames, ["id"]);
    assert.equal(route!.url({ id: 4 }), "/admin/users/4");
  });

  test("nested groups concatenate prefixes and name prefixes and run the outer group's middleware first", () => {
    const inner = Route.group([Route.get("/@id", [UsersController, "show"]).name("show").middleware("own")], { prefix: "/users", name: "users.", middleware: ["inner"] });
    const [route] = Route.group(inner, { prefix: "/api/v1", name: "api.", middleware: ["outer"] });
    assert.equal(route!.path, "/api/v1/users/@id");
    assert.equal(route!.routeName, "api.users.show");
    assert.deepEqual(route!.middlewareNames, ["outer", "inner", "own"]);
    assert.deepEqual(route!.groups, [
      { prefix: "/api/v1", middleware: ["outer"] },
      { prefix: "/api/v1/users", middleware: ["inner"] },
    ]);
  });

  test("middleware added to a grouped route still runs after the groups'", () => {
    const [route] = Route.group([Route.get("/", [UsersController, "index"])], { middleware: ["web"] });
    route!.middleware("auth");
    assert.deepEqual(route!.middlewareNames, ["web", "auth"]);
  });

  test('"/" inside a prefix is the prefix itself, and a trailing slash on the prefix is dropped', () => {
    assert.equal(Route.group([Route.get("/", [UsersController, "index"])], { prefix: "/api" })[0]!.path, "/api");
    assert.equal(Route.group([Route.get("/status", [UsersController, "index"])], { prefix: "/api/" })[0]!.path, "/api/status");
    assert.equal(Route.group([Route.get("/", [UsersController, "index"])], { prefix: "" })[0]!.path, "/");
  });

  test("options are optional, unnamed routes stay unnamed, and the routes given are left as they were", () => {
    const original = Route.get("/users", [UsersController, "index"]).middleware("own");
    const [bare] = Route.group([original]);
    assert.equal(bare!.path, "/users");
    const [grouped] = Route.group([original], { prefix: "/x", name: "x.", middleware: ["web"] });
    assert.equal(grouped!.routeName, undefined);
    assert.equal(original.path, "/users");
    assert.deepEqual(original.middlewareNames, ["own"]);
    assert.deepEqual(original.groups, []);
  });

  test("a prefix without a leading slash is refused with a coded error", () => {
    assert.throws(() => Route.group([Route.get("/x", [UsersController, "index"])], { prefix: "api" }), (error: Error & { code?: string }) => {
      assert.equal(error.code, "E_BAD_ROUTE");
      assert.match(error.message, /prefix "api" must start with "\/"\.$/);
      return true;
    });
  });

  test("any nesting: the path is the prefixes in order, the middleware the groups' outer first, each group mounted where its prefixes lead", () => {
    const segment = fc.stringMatching(/^[a-z]{1,6}$/).map((s) => `/${s}`);
    const level = fc.record({ prefix: fc.oneof(fc.constant(""), segment), name: fc.stringMatching(/^[a-z]{0,3}\.?$/), middleware: fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(level, { maxLength: 5 }), segment, (levels, path) => {
        // levels[0] is the outermost group, so the innermost is applied first.
        let routes = [Route.get(path, [UsersController, "index"]).name("r")];
        for (const options of [...levels].reverse()) routes = Route.group(routes, options);
        const [route] = routes;
        assert.equal(route!.path, levels.map((l) => l.prefix).join("") + path);
        assert.equal(route!.routeName, levels.map((l) => l.name).join("") + "r");
        assert.deepEqual(route!.middlewareNames, levels.flatMap((l) => l.middleware));
        assert.deepEqual(route!.groups.map((g) => g.prefix), levels.map((_, i) => levels.slice(0, i + 1).map((l) => l.prefix).join("")));
      }),
    );
  });
});
