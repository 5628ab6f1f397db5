import "./support/env";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { createCraft } from "masonite/commands";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import { testKernel } from "./support/app";

/** A page that sends visitors who are not signed in to the sign-in page, as an account page does. */
class AccountController extends Controller {
  @inject()
  show(response: Response) {
    return response.redirect("/login");
  }
}

const root = mkdtempSync(path.join(tmpdir(), "craft-test-observed-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("craft test Account requests the route first, and the test it writes expects the redirect the app really answers", { timeout: 60_000 }, async (t) => {
  const kernel = testKernel({ routes: [Route.get("/account", [AccountController, "show"]).name("account")] });
  const printed: string[] = [];
  t.mock.method(console, "log", (line: string) => void printed.push(line));
  await createCraft({ root, kernel: async () => kernel }).parseAsync(["node", "craft", "test", "Account"]);
  const text = readFileSync(path.join(root, "tests", "account.test.ts"), "utf8");
  assert.match(text, /\(await app\.get\("\/account"\)\)\.assertRedirect\("\/login"\);/);
  assert.doesNotMatch(text, /assertOk\(\);/);
  assert.deepEqual(printed, ["Created tests/account.test.ts", "It requests GET /account (AccountController@show), which redirected to /login when craft tried it, so the test expects that redirect; run it with npm test."]);
});
