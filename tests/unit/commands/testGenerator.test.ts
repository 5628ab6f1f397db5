import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { makeTest } from "masonite/commands";
import { Route } from "masonite/routes";

class PostController {
  index() {}
  show() {}
  store() {}
}
class CommentController {
  index() {}
}

const root = mkdtempSync(path.join(tmpdir(), "craft-test-generator-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The test `craft test Post` writes for these routes, and the hint it prints. */
function generate(routes: ReturnType<typeof Route.get>[]): { text: string; hint: string } {
  const generated = makeTest(root, "Post", { force: true, routes });
  return { text: readFileSync(path.join(root, generated.file), "utf8"), hint: generated.hints.join("\n") };
}

describe("craft test <Name> requests a route of <Name>Controller", () => {
  const store = Route.post("/posts", [PostController, "store"]);
  const show = Route.get("/posts/@id", [PostController, "show"]);
  const index = Route.get("/posts", [PostController, "index"]);
  const comments = Route.get("/comments", [CommentController, "index"]);

  test("a GET without parameters first, whatever the order, asserting a 2xx", () => {
    const { text, hint } = generate([comments, store, show, index]);
    assert.match(text, /\(await app\.get\("\/posts"\)\)\.assertOk\(\);/);
    assert.match(text, /test\("GET \/posts answers \(PostController@index\)"/);
    assert.doesNotMatch(text, /TODO|assert\.fail/);
    assert.equal(hint, "It requests GET /posts (PostController@index); run it with npm test.");
  });

  test("a GET with parameters gets sample values, and says so", () => {
    const { text } = generate([store, show]);
    assert.match(text, /\/\/ \/posts\/@id with id = 1: change them to values your app has\.\n {4}\(await app\.get\("\/posts\/1"\)\)\.assertOk\(\);/);
  });

  test("only another method: it sends an empty form and asserts the route answered, with a TODO for the fields", () => {
    const { text } = generate([store]);
    assert.match(text, /TODO: send the fields POST \/posts expects/);
    assert.match(text, /const response = await app\.post\("\/posts", \{\}\);\n {4}assert\.ok\(response\.status < 500 && response\.status !== 404 && response\.status !== 405,/);
  });

  test("no route of an existing controller: a test that fails, saying what to fill in", () => {
    mkdirSync(path.join(root, "app", "controllers", "blog"), { recursive: true });
    writeFileSync(path.join(root, "app", "controllers", "blog", "PostController.ts"), "export class PostController {}\n");
    try {
      const { text, hint } = generate([comments]);
      assert.match(text, /assert\.fail\("TODO: no route pointed at PostController when craft wrote this test; add one to routes\/web\.ts or routes\/api\.ts, then request it here/);
      assert.match(hint, /^No route points at PostController yet, so the test fails with a TODO/);
    } finally {
      rmSync(path.join(root, "app"), { recursive: true, force: true });
    }
  });
});

describe("craft test <Name> for a controller that exists nowhere", () => {
  test("is refused with E_NO_CONTROLLER, naming the fix, and writes nothing", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "craft-test-nope-"));
    try {
      assert.throws(() => makeTest(empty, "Nope", { force: false, routes: [Route.get("/comments", [CommentController, "index"])] }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_NO_CONTROLLER");
        assert.equal(error.message, 'There is no NopeController: no route points at it and app/controllers has no NopeController.ts, so tests/nope.test.ts was not written; check the name, create it with "craft controller Nope", or pass --todo to write a test that fails with a TODO until you fill it in.');
        return true;
      });
      assert.ok(!existsSync(path.join(empty, "tests")), "nothing written");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("--todo writes the failing TODO test anyway", () => {
    const generated = makeTest(root, "Nope", { force: true, todo: true, routes: [] });
    assert.match(readFileSync(path.join(root, generated.file), "utf8"), /assert\.fail\("TODO: no route pointed at NopeController/);
  });
});

describe("craft test <Name> expects what the app answered when craft requested the route", () => {
  const index = Route.get("/posts", [PostController, "index"]);

  test("a redirect (to a sign-in page) is asserted as that redirect, saying how to test the page itself", () => {
    const generated = makeTest(root, "Post", { force: true, routes: [index], observed: { status: 302, location: "/login" } });
    const text = readFileSync(path.join(root, generated.file), "utf8");
    assert.match(text, /\/\/ When craft wrote this test, GET \/posts redirected to \/login \(a sign-in page, say\): this expects that\. To test the page itself, sign in .* first, then assertOk\(\)\.\n {4}\(await app\.get\("\/posts"\)\)\.assertRedirect\("\/login"\);/);
    assert.match(text, /test\("GET \/posts redirects to \/login \(PostController@index\)"/);
    assert.equal(generated.hints[0], "It requests GET /posts (PostController@index), which redirected to /login when craft tried it, so the test expects that redirect; run it with npm test.");
  });

  test("a 2xx is asserted with assertOk; a failing answer keeps assertOk and the hint says what it answered", () => {
    assert.match(readFileSync(path.join(root, makeTest(root, "Post", { force: true, routes: [index], observed: { status: 200 } }).file), "utf8"), /\(await app\.get\("\/posts"\)\)\.assertOk\(\);/);
    const failing = makeTest(root, "Post", { force: true, routes: [index], observed: { status: 500 } });
    assert.match(readFileSync(path.join(root, failing.file), "utf8"), /\.assertOk\(\);/);
    assert.equal(failing.hints[0], "It requests GET /posts (PostController@index); run it with npm test. It answered 500 when craft tried it, so the test fails until the page answers 2xx.");
  });
});
