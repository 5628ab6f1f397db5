import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestClient } from "masonite/testing";
import { OLD_INPUT_KEY } from "masonite/sessions";
import { startAppOn, type DriverApp, type DriverSetup } from "./support/app";
import { rawRequest } from "./support/http";
import { SuiteSkip } from "./support/skip";

/** Text of the fixture's `<dd id="...">`, still HTML-escaped as the browser receives it. */
function field(html: string, id: string): string {
  const match = new RegExp(`<dd id="${id}">([\\s\\S]*?)</dd>`).exec(html);
  assert.ok(match, `no #${id} in the page`);
  return match[1]!;
}

for (const driver of ["cookie", "redis", "file", "memory", "database:postgres", "database:mysql", "database:sqlite"] as DriverSetup[]) {
  describe(`flash messages, errors, old input and CSRF in templates (${driver} driver)`, () => {
    let running: DriverApp | undefined;
    const skips = new SuiteSkip();
    before(async () => {
      running = await startAppOn(driver, skips);
    });
    after(() => running?.close());

    function visitor(t: { skip: (why: string) => void }): TestClient | undefined {
      if (skips.skipped(t)) return undefined;
      return running!.app.visitor();
    }

    test("an empty contact form: errors next to each field and in the summary, name kept, password not, gone on reload", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await c.get("/contact");
      const sent = await c.post("/contact", { name: "Ada", email: "nope", password: "short" }, { headers: { referer: `${c.url}/contact` } });
      sent.assertRedirect("/contact").assertHasErrors("email").assertHasErrors("password").assertFlashed("errors").assertFlashed(OLD_INPUT_KEY);
      assert.deepEqual(sent.oldInput, { name: "Ada", email: "nope" }, "passwords and the CSRF token are never flashed");
      const page = await c.get("/contact");
      page.assertOk().assertSee("That email does not look right").assertSee("The password needs at least 8 characters");
      assert.match(page.text, /<span class="field-error" data-field="email">That email does not look right<\/span>/);
      assert.match(page.text, /Please fix 2 problems/);
      assert.match(page.text, /<input name="name" value="Ada"/);
      assert.match(page.text, /<input name="email" type="email" value="nope"/);
      assert.match(page.text, /<input name="password" type="password" autocomplete/);
      const reload = await c.get("/contact");
      reload.assertDontSee("That email does not look right").assertDontSee('value="Ada"');
    });

    test("a valid contact form: success message after the redirect, gone on reload", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const sent = await c.post("/contact", { name: "Ada", email: "ada@example.com", password: "long-enough" });
      sent.assertRedirect("/contact").assertFlashed("success").assertSessionHas("success", "Thanks, Ada!");
      (await c.get("/contact")).assertSee("Thanks, Ada!");
      (await c.get("/contact")).assertDontSee("Thanks, Ada!");
    });

    test("user input in flash messages and old input is escaped", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const evil = `<script>alert("x")</script>`;
      await c.post("/contact", { name: evil, email: "bad" }, { headers: { referer: `${c.url}/contact` } });
      const page = await c.get("/contact");
      assert.ok(!page.text.includes(evil), "raw markup must not reach the page");
      assert.ok(page.text.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
      await c.post("/contact", { name: evil, email: "ok@example.com", password: "long-enough" });
      const thanks = await c.get("/contact");
      assert.ok(!thanks.text.includes(evil));
      thanks.assertSee(`Thanks, ${evil}!`);
    });

    test("template globals: session(), errors, old(), csrf_token(), csrf_field(), request(), url()", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await c.withSession({ note: "remember me" });
      await c.post("/_flash/errors/bag", {});
      const page = await c.get("/_flash/globals?q=search+term");
      const html = page.assertOk().text;
      assert.equal(field(html, "has-note"), "true");
      assert.equal(field(html, "note"), "remember me");
      assert.equal(field(html, "any"), "true");
      assert.equal(field(html, "count"), "2");
      assert.equal(field(html, "has-email"), "true");
      assert.equal(field(html, "first-email"), "Bag says no");
      assert.equal(field(html, "get-email"), "Bag says no|Second email message");
      assert.equal(field(html, "all"), "Bag says no|Second email message");
      assert.match(field(html, "raw-errors"), /Bag says no/, "session().get(\"errors\") works as in Masonite");
      assert.equal(field(html, "old-default"), "fallback");
      const token = await c.csrfToken();
      assert.equal(field(html, "token"), token);
      assert.equal(field(html, "field"), `<input type="hidden" name="__token" value="${token}">`);
      assert.equal(field(html, "path"), "/_flash/globals");
      assert.equal(field(html, "q"), "search term");
      assert.equal(field(html, "url"), "/users/5");
      const later = (await c.get("/_flash/globals")).text;
      assert.equal(field(later, "any"), "false", "errors are flash data: gone on the next request");
      assert.equal(field(later, "count"), "0");
      assert.equal(field(later, "first-email"), "");
    });

    test("withErrors takes a bag, a field -> messages object, or a plain list", async (t) => {
      const c = visitor(t);
      if (!c) return;
      (await c.post("/_flash/errors/object", {})).assertRedirect("/_flash/globals").assertHasErrors("email").assertHasErrors("name");
      const object = (await c.get("/_flash/globals")).text;
      assert.equal(field(object, "all"), "Object says no|Name too");
      (await c.post("/_flash/errors/list", {})).assertHasErrors();
      const list = (await c.get("/_flash/globals")).text;
      assert.equal(field(list, "all"), "First plain message|Second plain message");
      assert.equal(field(list, "has-email"), "false");
    });

    test("withInput leaves secrets out wherever they sit: nested fields, common names, card fields", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const sent = await c.post(
        "/_flash/input",
        {
          name: "Grace",
          user: { name: "grace", password: "p1", profile: { passwd: "p2" } },
          account: { new_password: "p3", current_password: "p4", password_confirmation: "p5" },
          api_token: "t1",
          client_secret: "s1",
          payment: { cc: "4111111111111111", cvv: "123", card_number: "4111", holder: "G. Hopper" },
          items: [{ sku: "a", secret: "s2" }],
        },
        { headers: { referer: `${c.url}/_flash/globals` } },
      );
      assert.deepEqual(sent.assertRedirect("/_flash/globals").oldInput, {
        name: "Grace",
        user: { name: "grace", profile: {} },
        account: {},
        payment: { holder: "G. Hopper" },
        items: [{ sku: "a" }],
      });
    });

    test("a failing form too large for the session store still goes back with its errors; the largest fields are left out of the old input", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await c.get("/contact");
      // Over each store's budget: the cookie driver's 6 KB of cookies, the redis driver's 256 KB.
      const bio = "b".repeat(driver === "cookie" ? 12_500 : 300_000);
      const sent = await c.post("/contact", { name: "Ada", email: "nope", password: "short", bio }, { headers: { referer: `${c.url}/contact` } });
      sent.assertRedirect("/contact").assertHasErrors("email").assertFlashed(OLD_INPUT_KEY);
      assert.deepEqual(sent.oldInput, { name: "Ada", email: "nope" }, "the field that did not fit is left out, the others kept");
      assert.ok(JSON.stringify(sent.session).length < (driver === "cookie" ? 4_500 : 256 * 1024), "the stored session stays within its store's limit");
      if (driver === "cookie") assert.ok(c.jar.header()!.length <= 6 * 1024, `the browser sends ${c.jar.header()!.length} bytes of cookies`);
      const page = await c.get("/contact");
      page.assertOk().assertSee("That email does not look right");
      assert.match(page.text, /<input name="name" value="Ada"/);
      (await c.get("/css/app.css")).assertOk();
    });

    test("withSuccess chains with a named redirect; withInput with back() keeps input but never passwords", async (t) => {
      const c = visitor(t);
      if (!c) return;
      (await c.post("/_flash/success", {})).assertRedirect("/contact").assertSessionHas("success", "It worked <b>really</b>");
      (await c.get("/contact")).assertSee("It worked <b>really</b>");
      const back = await c.post(
        "/_flash/input",
        { name: "Grace", password: "hunter22", password_confirmation: "hunter22", current_password: "x", nested: { a: "1" } },
        { headers: { referer: `${c.url}/_flash/globals` } },
      );
      back.assertRedirect("/_flash/globals");
      assert.deepEqual(back.oldInput, { name: "Grace", nested: { a: "1" } });
      const html = (await c.get("/_flash/globals")).text;
      assert.equal(field(html, "old-name"), "Grace");
      assert.equal(field(html, "old-password"), "none");
    });

    test("request.validate returns typed data or a message bag keyed by field, and never throws on odd input", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const ok = await c.post("/_flash/validate", { email: "a@b.co", age: "30", address: { city: "Oslo" } }, { headers: { accept: "application/json" } });
      assert.deepEqual(ok.json(), { ok: true, data: { email: "a@b.co", age: 30, address: { city: "Oslo" } }, ageType: "number" });
      const bad = await c.post("/_flash/validate", { email: "nope", age: "12", address: { city: "" } }, { headers: { accept: "application/json" } });
      assert.deepEqual(bad.json(), {
        ok: false,
        errors: { email: ["That email does not look right"], age: ["Adults only"], "address.city": ["City is required"] },
      });
      for (const odd of [{ email: ["a", "b"] }, { address: "not an object" }, { age: { $gt: 1 } }, { email: "x".repeat(100_000) }]) {
        const res = await c.post("/_flash/validate", odd, { json: true, headers: { accept: "application/json" } });
        assert.equal(res.status, 200, JSON.stringify(odd).slice(0, 80));
        assert.equal(res.json<{ ok: boolean }>().ok, false);
      }
    });

    test("CSRF: the form field and the X-CSRF-TOKEN header pass; a missing or wrong token is a 419 that changes nothing", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await c.withSession({ untouched: "yes" });
      const token = await c.csrfToken();
      const ops = { ops: [{ op: "set", key: "changed", value: true }] };
      (await c.post("/_lab", { ...ops, __token: token }, { json: true, csrf: false })).assertOk();
      (await c.post("/_lab", ops, { json: true, csrf: false, headers: { "x-csrf-token": token } })).assertOk();
      await c.post("/_lab", { ops: [{ op: "delete", key: "changed" }] }, { json: true });
      const missing = await c.post("/_lab", ops, { json: true, csrf: false });
      missing.assertStatus(419).assertSee("This page expired").assertSessionMissing("changed").assertSessionHas("untouched", "yes");
      const raw = await rawRequest(Number(new URL(c.url).port), "POST /contact HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      assert.match(raw.head, /^HTTP\/1\.1 419 Page Expired\r\n/, "the status line names 419, which Node would call unknown");
      const wrong = await c.post("/contact", { __token: token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"), name: "x" }, { csrf: false });
      wrong.assertStatus(419).assertSessionMissing("errors");
      const api = await c.post("/_lab", ops, { json: true, csrf: false, headers: { accept: "application/json", "x-csrf-token": "nope" } });
      assert.equal(api.status, 419);
      assert.equal(api.json<{ error: { code: string } }>().error.code, "E_CSRF_TOKEN_MISMATCH");
      const stranger = c.visitor();
      const foreign = await stranger.post("/_lab", ops, { json: true, csrf: false, headers: { "x-csrf-token": token } });
      foreign.assertStatus(419);
    });

    test("the CSRF token is its own random value, never the session id", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const page = await c.get("/contact");
      const token = /name="__token" value="([^"]+)"/.exec(page.text)![1]!;
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      for (const cookie of c.jar.names()) assert.ok(!c.jar.get(cookie)!.includes(token), "the token is not the cookie value");
      const [id] = (await c.post("/_lab", { ops: [{ op: "id" }] }, { json: true, headers: { accept: "application/json" } })).json<{ results: string[] }>().results;
      assert.notEqual(id, token);
    });
  });
}
