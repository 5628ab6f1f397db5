import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { makeController } from "masonite/commands";

const root = mkdtempSync(path.join(tmpdir(), "craft-controller-generator-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("craft controller <folder>/<Name> writes into that folder of app/controllers", () => {
  test("api/Post: a JSON controller in app/controllers/api/, with its route for routes/api.ts", () => {
    const generated = makeController(root, "api/Post", { resource: false, force: false });
    assert.equal(generated.file, "app/controllers/api/PostController.ts");
    const text = readFileSync(path.join(root, generated.file), "utf8");
    assert.match(text, /export class PostController extends Controller \{\n {2}index\(\) \{\n {4}return \{ posts: \[\] \};/);
    assert.doesNotMatch(text, /masonite\/views|masonite\/sessions/, "an API controller renders no view and has no session");
    assert.deepEqual(generated.hints, [
      'Add a route to routes/api.ts (import { PostController } from "../app/controllers/api/PostController";), served under /api/posts:',
      '  Route.get("/posts", [PostController, "index"]).name("api.posts.index"),',
    ]);
  });

  test("api/BlogPost -r: the five JSON resource actions and their routes", () => {
    const generated = makeController(root, "api/blog_post", { resource: true, force: false });
    assert.equal(generated.file, "app/controllers/api/BlogPostController.ts");
    const text = readFileSync(path.join(root, generated.file), "utf8");
    for (const method of ["index", "store", "show", "update", "destroy"]) assert.match(text, new RegExp(`\\n  ${method}\\(`));
    assert.deepEqual(generated.hints.slice(1), [
      '  Route.get("/blog-posts", [BlogPostController, "index"]).name("api.blog-posts.index"),',
      '  Route.post("/blog-posts", [BlogPostController, "store"]).name("api.blog-posts.store"),',
      '  Route.get("/blog-posts/@id", [BlogPostController, "show"]).name("api.blog-posts.show"),',
      '  Route.put("/blog-posts/@id", [BlogPostController, "update"]).name("api.blog-posts.update"),',
      '  Route.delete("/blog-posts/@id", [BlogPostController, "destroy"]).name("api.blog-posts.destroy"),',
    ]);
  });

  test("another folder (admin/User) keeps a page controller, its path, route and view under the folder", () => {
    const generated = makeController(root, "admin/User", { resource: false, force: false });
    assert.equal(generated.file, "app/controllers/admin/UserController.ts");
    assert.match(readFileSync(path.join(root, generated.file), "utf8"), /return view\.render\("admin\.user"\);/);
    assert.deepEqual(generated.hints, [
      'Add a route to routes/web.ts (import { UserController } from "../app/controllers/admin/UserController";):',
      '  Route.get("/admin/user", [UserController, "show"]).name("admin.user"),',
      "and its view: craft view admin.user",
    ]);
  });

  test("a folder that is not a plain name is refused, and nothing is written", () => {
    for (const raw of ["../Post", "/Post", "api//Post", "api/../../x/Post", "api/9/Post"]) {
      assert.throws(() => makeController(root, raw, { resource: false, force: false }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_BAD_NAME");
        assert.match(error.message, /^Controller path ".*" must be folder names of letters, digits, - and _ before the name, separated by \/ \(for example "api\/Post"\)\.$/);
        return true;
      }, raw);
    }
  });
});
