import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test, type TestContext } from "node:test";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";

const NO_TOKEN = "No CSRF token was sent: put {{ csrf_field() }} inside the <form>, send the X-CSRF-TOKEN header from scripts (its value is csrf_token()), or serve token-less JSON clients from the api group (routes/api.ts).";
const NO_TOKEN_NO_COOKIE = NO_TOKEN.replace("was sent:", "was sent (and no session cookie either):");
const NO_COOKIE = /^A CSRF token was sent but no session cookie came with it .*: load the form's page first in the same client and post to the same host and port, so the session cookie it sets comes back\.$/;
const MISMATCH = /^The CSRF token sent does not match this session's .*: reload the form's page and submit it again\.$/;

/** What the app logs as warnings while `run` runs. */
async function warnings(t: TestContext, app: TestClient, run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const mock = t.mock.method(app.app.logger, "warn", (message: string) => void lines.push(message));
  try {
    await run();
  } finally {
    mock.mock.restore();
  }
  return lines;
}

/** A visitor who loaded the form first, so it has a session (and its token) but sends what it is told. */
async function withSession(app: TestClient): Promise<TestClient> {
  const visitor = app.visitor();
  (await visitor.get("/contact")).assertOk();
  return visitor;
}

describe("a 419 says which CSRF check failed, in development", () => {
  let dev: TestClient;
  let production: TestClient;
  before(async () => {
    [dev, production] = await Promise.all([
      startApp({ app: { ENV: "development", DEBUG: true } }),
      startApp({ app: { ENV: "production", DEBUG: false } }),
    ]);
  });
  after(() => Promise.all([dev.close(), production.close()]));

  test("no token in the form: the page names csrf_field(), X-CSRF-TOKEN and the api group; the log says the same as a warning", async (t) => {
    const visitor = await withSession(dev);
    let page: string | undefined;
    const logged = await warnings(t, dev, async () => {
      page = (await visitor.post("/contact", { name: "x" }, { csrf: false })).assertStatus(419).text;
    });
    assert.ok(page!.includes('<p class="detail">No CSRF token was sent: put {{ csrf_field() }} inside the &lt;form&gt;, send the X-CSRF-TOKEN header'), page);
    assert.deepEqual(logged, [`POST /contact -> 419: ${NO_TOKEN}`]);
  });

  test("no token and no session cookie at all", async () => {
    const res = await dev.visitor().post("/contact", { name: "x" }, { csrf: false, headers: { accept: "application/json" } });
    assert.equal(res.assertStatus(419).json<{ error: { detail: string } }>().error.detail, NO_TOKEN_NO_COOKIE);
  });

  test("a token but no session cookie", async () => {
    const res = await dev.visitor().post("/contact", { name: "x", __token: "x".repeat(43) }, { csrf: false, headers: { accept: "application/json" } });
    const { error } = res.assertStatus(419).json<{ error: { code: string; detail: string } }>();
    assert.equal(error.code, "E_CSRF_TOKEN_MISMATCH");
    assert.match(error.detail, NO_COOKIE);
  });

  test("a token that is not the session's", async () => {
    const visitor = await withSession(dev);
    const res = await visitor.post("/contact", { name: "x" }, { csrf: false, headers: { accept: "application/json", "x-csrf-token": "x".repeat(43) } });
    assert.match(res.assertStatus(419).json<{ error: { detail: string } }>().error.detail, MISMATCH);
  });

  test("production keeps the plain page and JSON, and still logs the reason", async (t) => {
    const visitor = await withSession(production);
    let html = "";
    let json: { error: Record<string, unknown> } | undefined;
    const logged = await warnings(t, production, async () => {
      html = (await visitor.post("/contact", { name: "x" }, { csrf: false })).assertStatus(419).text;
      json = (await visitor.post("/contact", { name: "x" }, { csrf: false, headers: { accept: "application/json" } })).json();
    });
    assert.doesNotMatch(html, /class="detail"|csrf_field/);
    assert.match(html, /This page expired/);
    assert.equal(json!.error.detail, undefined);
    assert.equal(json!.error.code, "E_CSRF_TOKEN_MISMATCH");
    assert.deepEqual(logged, [`POST /contact -> 419: ${NO_TOKEN}`, `POST /contact -> 419: ${NO_TOKEN}`]);
  });
});
