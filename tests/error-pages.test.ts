import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Route } from "masonite/routes";
import type { TestClient } from "masonite/testing";
import { View } from "masonite/views";
import { startApp } from "./support/app";
import { PROBE_ROUTES } from "./support/probes";

/** Renders the fixture templates with mistakes in them (tests/fixtures/templates/mistakes). */
class MistakeController extends Controller {
  @inject()
  typo(view: View) {
    return view.render("mistakes.typo");
  }

  @inject()
  unclosed(view: View) {
    return view.render("mistakes.unclosed", { user: "Ada" });
  }

  @inject()
  crate(view: View) {
    return view.render("posts/crate");
  }

  @inject()
  undefinedValues(view: View) {
    return view.render("mistakes.undefined", { known: "here", post: { name: "A post" }, nothing: () => undefined });
  }
}

const MISTAKE_ROUTES = [
  Route.get("/_mistakes/typo", [MistakeController, "typo"]),
  Route.get("/_mistakes/crate", [MistakeController, "crate"]),
  Route.get("/_mistakes/unclosed", [MistakeController, "unclosed"]),
  Route.get("/_mistakes/undefined", [MistakeController, "undefinedValues"]),
];

/** The page's text as a reader sees it: Youch escapes "/" and quotes as entities. */
function decoded(html: string): string {
  return html.replace(/&#x2F;/g, "/").replace(/&#x3D;/g, "=").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

describe("development error pages (APP_DEBUG=true)", () => {
  let app: TestClient;
  before(async () => {
    app = await startApp({ routes: [...PROBE_ROUTES, ...MISTAKE_ROUTES], app: { DEBUG: true } });
  });
  after(() => app.close());

  test("a 500 shows the exception and opens on the app's own frame with its source; framework frames are folded", async () => {
    const res = await app.get("/_probe/boom");
    res.assertStatus(500);
    const page = decoded(res.text);
    assert.match(page, /<h2 class="error-message"> kaboom: the controller failed <\/h2>/);
    const rows = [...page.matchAll(/<div class="frame-row ([^"]*)">\s*<div class="frame-row-filepath">\s*(\S+)/g)].map(([, classes, file]) => ({ classes: classes!.trim(), file: file! }));
    const active = rows.filter((row) => row.classes.split(" ").includes("active"));
    assert.equal(active.length, 1, "one frame is opened");
    assert.match(active[0]!.file, /^tests\/support\/probes\.ts:\d+:\d+$/, "the opened frame is the app's, where it threw");
    assert.match(page, /data-file="tests\/support\/probes\.ts"[^>]*>[\s\S]*throw new Error\("kaboom: the controller failed"\);/, "with the lines of source around it");
    const framework = rows.filter((row) => row.file.startsWith("framework/"));
    assert.ok(framework.length > 0, "the framework's frames are on the page");
    for (const row of framework) assert.ok(row.classes.includes("native-frame"), `${row.file} is folded`);
  });

  test("the page's inline styles and scripts run under the CSP by a nonce, and long lines wrap", async () => {
    const res = await app.get("/_probe/boom");
    const policy = res.header("content-security-policy") ?? "";
    const nonce = /style-src [^;]*'nonce-([^']+)'/.exec(policy)?.[1];
    assert.ok(nonce, `the CSP carries a style nonce: ${policy}`);
    assert.match(policy, new RegExp(`script-src [^;]*'nonce-${nonce}'`));
    assert.match(policy, /default-src 'self'/, "the rest of the policy stays");
    assert.ok(res.text.includes(`<style type="text/css" nonce="${nonce}">`), "Youch's styles carry the nonce");
    assert.match(res.text, new RegExp(`<style nonce="${nonce}">[^<]*\\.error-message, #frame-code pre[^{]*\\{ white-space: pre-wrap; \\}`), "messages and source lines wrap");
    const other = (await app.get("/_probe/boom")).header("content-security-policy");
    assert.notEqual(other, policy, "a fresh nonce per page");
    assert.doesNotMatch((await app.get("/")).header("content-security-policy") ?? "", /nonce/, "other pages keep the app's policy");
  });

  test("a 404 lists the routes that exist (method, path, name) instead of a stack trace", async () => {
    const res = await app.get("/posts/crate");
    res.assertStatus(404).assertSee("No route matches GET /posts/crate.");
    assert.match(res.text, /<tr><td>GET<\/td><td>\/users\/@id<\/td><td>users\.show<\/td><\/tr>/);
    assert.match(res.text, /<tr><td>POST<\/td><td>\/contact<\/td><td>contact\.store<\/td><\/tr>/);
    assert.match(res.text, /<tr><td>GET<\/td><td>\/api\/status<\/td><td>api\.status<\/td><\/tr>/);
    assert.doesNotMatch(res.text, /at [\w.<>]+ \(/, "no stack trace");
    assert.match(res.header("content-security-policy") ?? "", /frame-ancestors 'self'/, "security headers still set");
  });
});

describe("template mistakes name the template and line", () => {
  let dev: TestClient;
  let production: TestClient;
  before(async () => {
    [dev, production] = await Promise.all([
      startApp({ routes: MISTAKE_ROUTES, app: { ENV: "development", DEBUG: true } }),
      startApp({ routes: MISTAKE_ROUTES, app: { ENV: "production", DEBUG: false } }),
    ]);
  });
  after(() => Promise.all([dev.close(), production.close()]));

  test("a typo in a child template's block is reported at that template's line, not the layout's", async () => {
    const res = await dev.get("/_mistakes/typo", { headers: { accept: "application/json" } });
    const { error } = res.assertStatus(500).json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, "E_TEMPLATE_ERROR");
    assert.match(error.message, /^Template tests\/fixtures\/templates\/mistakes\/typo\.html line 5, column \d+ \(rendering "mistakes\.typo"\): Unable to call `urll`, which is undefined or falsey: check the spelling of urll, or pass it in the view's context \(or app\.views\.share\(\) it\)\.$/);
    assert.doesNotMatch(error.message, /base\.html/);
  });

  test("an unclosed if is E_TEMPLATE_SYNTAX at the line that opened it, and the debug page shows the template's lines around it", async () => {
    const { error } = (await dev.get("/_mistakes/unclosed", { headers: { accept: "application/json" } })).assertStatus(500).json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, "E_TEMPLATE_SYNTAX");
    assert.equal(error.message, 'Template tests/fixtures/templates/mistakes/unclosed.html line 5 (rendering "mistakes.unclosed"): {% if %} opened on line 5 is not closed, and {% endblock %} on line 7 came first: add {% endif %} where its if ends.');
    const page = (await dev.get("/_mistakes/unclosed")).assertStatus(500).text;
    assert.match(page, /<section id="template-source"><h2>tests\/fixtures\/templates\/mistakes\/unclosed\.html, line 5<\/h2><table>/);
    assert.match(page, /<tr class="mistake"><td>5<\/td><td>\{% if user %\}<\/td><\/tr><tr><td>6<\/td><td>&lt;p&gt;Hello \{\{ user \}\}&lt;\/p&gt;<\/td><\/tr>/);
    assert.match(page, /<tr><td>2<\/td><td>\{% extends &quot;base\.html&quot; %\}<\/td><\/tr>/, "three lines before it");
    assert.doesNotMatch((await production.get("/_mistakes/unclosed")).assertStatus(500).text, /template-source|if user/, "a production page shows no source");
  });

  test("a missing template names what was asked, the controller method and the folders searched", async () => {
    const res = await dev.get("/_mistakes/crate", { headers: { accept: "application/json" } });
    const { error } = res.assertStatus(500).json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, "E_TEMPLATE_NOT_FOUND");
    assert.equal(error.message, 'Template "posts/crate" (posts/crate.html), rendered by MistakeController.crate, is in none of the template folders resources/templates, tests/fixtures/templates: create it in one of them or fix the name given to view.render().');
  });

  test("in development an undefined value a template prints is a warning naming template, line and name; it still prints as empty, and silently elsewhere", async (t) => {
    const warnings: string[] = [];
    t.mock.method(dev.app.logger, "warn", (message: string) => warnings.push(message));
    const res = await dev.get("/_mistakes/undefined");
    res.assertOk();
    assert.match(res.text, /<p id="known">here<\/p>\s*<p id="missing"><\/p>\s*<p id="member"><\/p>\s*<p id="defaulted">fallback<\/p>/);
    assert.deepEqual(warnings, [
      "Template tests/fixtures/templates/mistakes/undefined.html line 3: titel is undefined and printed as empty.",
      "Template tests/fixtures/templates/mistakes/undefined.html line 4: post.nmae is undefined and printed as empty.",
      "Template tests/fixtures/templates/mistakes/undefined.html line 7: author is undefined and printed as empty.",
    ], "a call that returns nothing (line 6) is no mistake");
    warnings.length = 0;
    t.mock.method(production.app.logger, "warn", (message: string) => warnings.push(message));
    assert.match((await production.get("/_mistakes/undefined")).assertOk().text, /<p id="missing"><\/p>/);
    assert.deepEqual(warnings, [], "outside development the page renders with no warning");
  });
});

