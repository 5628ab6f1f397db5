import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";
import { PROBE_ROUTES } from "./support/probes";

/** The page's text as a reader sees it: Youch escapes "/" and quotes as entities. */
function decoded(html: string): string {
  return html.replace(/&#x2F;/g, "/").replace(/&#x3D;/g, "=").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

describe("development error pages (APP_DEBUG=true)", () => {
  let app: TestClient;
  before(async () => {
    app = await startApp({ routes: PROBE_ROUTES, app: { DEBUG: true } });
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
    res.assertStatus(404).assertSee("No route matches GET /posts/crate");
    assert.match(res.text, /<tr><td>GET<\/td><td>\/users\/@id<\/td><td>users\.show<\/td><\/tr>/);
    assert.match(res.text, /<tr><td>POST<\/td><td>\/contact<\/td><td>contact\.store<\/td><\/tr>/);
    assert.match(res.text, /<tr><td>GET<\/td><td>\/api\/status<\/td><td>api\.status<\/td><\/tr>/);
    assert.doesNotMatch(res.text, /at [\w.<>]+ \(/, "no stack trace");
    assert.match(res.header("content-security-policy") ?? "", /frame-ancestors 'self'/, "security headers still set");
  });
});
