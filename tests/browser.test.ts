import "./support/env";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import type { TestClient } from "masonite/testing";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { startApp, type DriverName } from "./support/app";
import { launchOrSkip } from "./support/browser";
import { RedisServer } from "./support/redis";
import { SuiteSkip } from "./support/skip";

/**
 * The contact form's whole loop in headless Chromium, with both session drivers: errors
 * next to their fields and in the summary, old input refilled (password not), the success
 * flash, flashes gone on reload, no leaks between users, and user input rendered as text.
 * Screenshots go to test-output/ (not committed) for a person to look at.
 *
 * Time budget: each test and hook gets its own generous limit (BUDGET), which only catches a
 * hang on a busy machine (after() hooks still close pages, app and Redis); Playwright's own
 * limits are as generous. The file normally takes about 15 s.
 */

/** Per test and per hook: Chromium on two busy cores is slow, never this slow. */
const BUDGET = { timeout: 60_000 };

const OUTPUT = path.resolve(__dirname, "..", "test-output");

const MESSAGES = {
  name: "Please tell us your name",
  email: "That email does not look right",
  password: "The password needs at least 8 characters",
};
type Field = keyof typeof MESSAGES;
const FIELDS = Object.keys(MESSAGES) as Field[];
const LABELS: Record<Field, string> = { name: "Name", email: "Email", password: "Password" };

let browser: Browser | undefined;
let noBrowser: string | undefined;

test("headless Chromium starts (or the browser tests are skipped, loudly)", BUDGET, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) noBrowser = "no Chromium (see the warning above)";
});

after(async () => {
  await browser?.close();
});

/** One browser user: its own context (cookie jar), a page, and what went wrong on it. */
interface User {
  context: BrowserContext;
  page: Page;
  /** Messages of alert/confirm/prompt dialogs: a script that ran. */
  dialogs: string[];
  /** Uncaught page errors and failed (4xx/5xx) requests: a broken page. */
  problems: string[];
}

interface Filled {
  name?: string;
  email?: string;
  password?: string;
}

for (const driver of ["cookie", "redis"] as DriverName[]) {
  describe(`contact form in headless Chromium (${driver} driver)`, () => {
    let redis: RedisServer | undefined;
    let app: TestClient | undefined;
    const skips = new SuiteSkip();
    const contexts: BrowserContext[] = [];

    before(async () => {
      if (!browser) return; // each test says why
      if (driver === "redis") {
        redis = await RedisServer.startOrSkip(skips);
        if (!redis) return;
      }
      app = await startApp({ driver, redisUrl: redis?.url });
    }, BUDGET);

    after(async () => {
      // Browsers first, so no keep-alive connection holds the server open.
      await Promise.allSettled(contexts.map((context) => context.close()));
      await app?.close();
      await redis?.stop();
    });

    /** A new user (fresh browser context), or a skip when there is no browser or Redis. */
    async function newUser(t: TestContext): Promise<User | undefined> {
      if (!browser) {
        if (noBrowser) {
          t.skip(noBrowser);
          return undefined;
        }
        throw new Error("Chromium did not start: see the first test's failure");
      }
      if (skips.skipped(t)) return undefined;
      if (!app) throw new Error("the app did not start: see the before hook's failure");
      const context = await browser.newContext({ baseURL: app.url, viewport: { width: 800, height: 720 } });
      contexts.push(context);
      context.setDefaultTimeout(20_000);
      context.setDefaultNavigationTimeout(30_000);
      const page = await context.newPage();
      const user: User = { context, page, dialogs: [], problems: [] };
      page.on("dialog", (dialog) => {
        user.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss().catch(() => {});
      });
      page.on("pageerror", (error) => user.problems.push(`page error: ${error.message}`));
      page.on("response", (response) => {
        if (response.status() >= 400) user.problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
      });
      return user;
    }

    async function open(page: Page): Promise<void> {
      const response = await page.goto("/contact");
      assert.equal(response?.status(), 200);
      assert.equal(await page.locator("h1").textContent(), "Contact us");
    }

    async function fill(page: Page, values: Filled): Promise<void> {
      for (const field of FIELDS) await page.getByLabel(LABELS[field], { exact: true }).fill(values[field] ?? "");
    }

    /**
     * Clicks Send like a user and waits for the page the app redirects to: the POST must be
     * answered with a redirect back to /contact (post/redirect/get), which renders with 200.
     */
    async function submit(page: Page): Promise<Response> {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === "GET"),
        page.waitForEvent("load"),
        page.getByRole("button", { name: "Send" }).click(),
      ]);
      const post = response.request().redirectedFrom();
      assert.equal(post?.method(), "POST", "the form is POSTed, then the browser is redirected");
      assert.equal(new URL(post.url()).pathname, "/contact");
      assert.equal(new URL(response.url()).pathname, "/contact", "redirected back to the form");
      assert.equal(response.status(), 200);
      assert.equal(new URL(page.url()).pathname, "/contact");
      return response;
    }

    function input(page: Page, field: Field) {
      return page.locator(`form input[name="${field}"]`);
    }

    function fieldError(page: Page, field: Field) {
      return page.locator(`.field-error[data-field="${field}"]`);
    }

    /** The summary's messages, in order, or null when the page shows no summary. */
    async function summary(page: Page): Promise<{ heading: string; messages: string[] } | null> {
      const box = page.locator(".alert.error");
      if ((await box.count()) === 0) return null;
      return { heading: ((await box.locator("p").textContent()) ?? "").trim(), messages: await box.locator("li").allTextContents() };
    }

    /** Asserts the page shows exactly these field errors, each right under its own input. */
    async function assertFieldErrors(page: Page, expected: Field[]): Promise<void> {
      for (const field of FIELDS) {
        const error = fieldError(page, field);
        if (!expected.includes(field)) {
          assert.equal(await error.count(), 0, `no error shown for ${field}`);
          continue;
        }
        assert.equal(await error.count(), 1, `one error shown for ${field}`);
        assert.equal(await error.textContent(), MESSAGES[field]);
        assert.ok(await error.isVisible(), `the ${field} error is visible`);
        // In the markup: right after the label that holds the field's input ...
        const adjacent = page.locator(`label:has(input[name="${field}"]) + .field-error[data-field="${field}"]`);
        assert.equal(await adjacent.count(), 1, `the ${field} error follows its own field`);
        // ... and on screen: just below that input, aligned with it.
        const inputBox = (await input(page, field).boundingBox())!;
        const errorBox = (await error.boundingBox())!;
        const gap = errorBox.y - (inputBox.y + inputBox.height);
        assert.ok(gap >= 0 && gap < 24, `the ${field} error sits right below its input (gap ${gap}px)`);
        assert.ok(Math.abs(errorBox.x - inputBox.x) < 2, `the ${field} error is aligned with its input`);
      }
      const shown = await summary(page);
      const count = expected.length;
      assert.deepEqual(shown, {
        heading: `Please fix ${count} problem${count === 1 ? "" : "s"}:`,
        messages: expected.map((field) => MESSAGES[field]),
      });
    }

    /** Asserts the page shows no flash at all: no summary, no field error, no success. */
    async function assertNoMessages(page: Page, why: string): Promise<void> {
      assert.equal(await page.locator(".alert").count(), 0, `${why}: no alert`);
      assert.equal(await page.locator(".field-error").count(), 0, `${why}: no field error`);
    }

    function assertClean(user: User): void {
      assert.deepEqual(user.dialogs, [], "no dialog opened (no script ran)");
      assert.deepEqual(user.problems, [], "no page error and no failed request");
    }

    test("an empty submit shows every error next to its field and in the summary", BUDGET, async (t) => {
      const user = await newUser(t);
      if (!user) return;
      const { page } = user;
      await open(page);
      await assertNoMessages(page, "a first visit");
      assert.equal(await page.locator('form input[type="hidden"][name="__token"]').count(), 1, "the form carries the CSRF token");

      await submit(page);
      await assertFieldErrors(page, ["name", "email", "password"]);
      for (const field of FIELDS) assert.equal(await input(page, field).inputValue(), "", `${field} stays empty`);
      // The stylesheet is served and applied: errors are red, the summary is a tinted box.
      const color = await page.evaluate(`getComputedStyle(document.querySelector('.field-error[data-field="name"]')).color`);
      assert.equal(color, "rgb(180, 35, 24)");

      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: path.join(OUTPUT, `browser-errors-${driver}.png`), fullPage: true });
      assertClean(user);
    });

    test("the typed name (and email) are refilled, the password never is; reload clears it all", BUDGET, async (t) => {
      const user = await newUser(t);
      if (!user) return;
      const { page } = user;
      await open(page);
      await fill(page, { name: "Ada Lovelace", email: "ada@", password: "short" });
      await submit(page);

      await assertFieldErrors(page, ["email", "password"]);
      assert.equal(await input(page, "name").inputValue(), "Ada Lovelace");
      assert.equal(await input(page, "email").inputValue(), "ada@");
      assert.equal(await input(page, "password").inputValue(), "", "the password is not refilled");
      assert.doesNotMatch(await page.content(), /short/, "the password is nowhere in the page");
      await page.screenshot({ path: path.join(OUTPUT, `browser-old-input-${driver}.png`), fullPage: true });

      // Flashed errors and old input live for one page: a reload shows a clean form.
      await page.reload();
      await assertNoMessages(page, "after a reload");
      for (const field of FIELDS) assert.equal(await input(page, field).inputValue(), "", `${field} is empty after a reload`);

      // Fixing the errors from the refilled form then works.
      await fill(page, { name: "Ada Lovelace", email: "ada", password: "short" });
      await submit(page);
      await assertFieldErrors(page, ["email", "password"]);
      await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
      await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
      await submit(page);
      assert.equal(await page.locator(".alert.success").textContent(), "Thanks, Ada Lovelace!");
      assertClean(user);
    });

    test("valid data shows the success message, and a reload makes it go away", BUDGET, async (t) => {
      const user = await newUser(t);
      if (!user) return;
      const { page } = user;
      await open(page);
      await fill(page, { name: "  Grace Hopper ", email: "grace@example.com", password: "hunter2hunter2" });
      await submit(page);

      const success = page.locator(".alert.success");
      assert.equal(await success.count(), 1);
      assert.ok(await success.isVisible());
      assert.equal(await success.textContent(), "Thanks, Grace Hopper!");
      assert.equal(await success.getAttribute("role"), "status");
      assert.equal(await page.locator(".alert.error, .field-error").count(), 0, "no errors beside the success");
      for (const field of FIELDS) assert.equal(await input(page, field).inputValue(), "", `${field} is not refilled after success`);
      await page.screenshot({ path: path.join(OUTPUT, `browser-success-${driver}.png`), fullPage: true });

      await page.reload();
      await assertNoMessages(page, "after a reload");
      // And it stays gone when navigating away and back.
      await page.locator("header nav").getByRole("link", { name: "Home", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/");
      await page.locator("header nav").getByRole("link", { name: "Contact", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/contact");
      await assertNoMessages(page, "on coming back");
      assertClean(user);
    });

    test("another user never sees the first one's messages or old input", BUDGET, async (t) => {
      const alice = await newUser(t);
      if (!alice) return;
      const bob = (await newUser(t))!;
      const secret = "Alice Secretname";
      const bobSees = async (why: string) => {
        await open(bob.page);
        await assertNoMessages(bob.page, `Bob ${why}`);
        for (const field of FIELDS) assert.equal(await input(bob.page, field).inputValue(), "", `Bob's ${field} is empty ${why}`);
        assert.doesNotMatch(await bob.page.content(), new RegExp(secret), `Bob never sees Alice's name ${why}`);
      };
      /** Alice's form POSTed without following the redirect: her flash waits, unread, in her session. */
      const alicePostsOnly = async (values: Filled) => {
        const token = await alice.page.locator('input[name="__token"]').inputValue();
        const response = await alice.context.request.post(`${app!.url}/contact`, {
          form: { __token: token, name: values.name ?? "", email: values.email ?? "", password: values.password ?? "" },
          headers: { referer: `${app!.url}/contact` },
          maxRedirects: 0,
        });
        assert.equal(response.status(), 302);
        assert.equal(new URL(response.headers().location!, app!.url).pathname, "/contact");
      };
      /** Bob loads the page several times while Alice loads her (flash-carrying) page. */
      const concurrently = async () => {
        const bobs = Array.from({ length: 6 }, () => bob.context.request.get(`${app!.url}/contact`));
        const [aliceResponse, ...bobResponses] = await Promise.all([alice.page.goto("/contact"), ...bobs]);
        assert.equal(aliceResponse?.status(), 200);
        for (const response of bobResponses) {
          assert.equal(response.status(), 200);
          const html = await response.text();
          assert.doesNotMatch(html, new RegExp(`${secret}|class="alert|field-error`), "Bob's concurrent pages carry nothing of Alice's");
        }
      };

      // Alice gets errors on screen (her name refilled); Bob, meanwhile, sees a clean form.
      await open(alice.page);
      await fill(alice.page, { name: secret, email: "nope" });
      await submit(alice.page);
      await assertFieldErrors(alice.page, ["email", "password"]);
      await bobSees("while Alice looks at her errors");

      // Alice's errors and old input are flashed but not shown yet: Bob still sees none of them.
      await alicePostsOnly({ name: secret, email: "nope" });
      await bobSees("while Alice's errors wait in her session");
      await concurrently();
      await assertFieldErrors(alice.page, ["email", "password"]);
      assert.equal(await input(alice.page, "name").inputValue(), secret, "Alice got her own old input");

      // The same for the success flash.
      await alicePostsOnly({ name: secret, email: "alice@example.com", password: "long enough password" });
      await bobSees("while Alice's success message waits in her session");
      await concurrently();
      assert.equal(await alice.page.locator(".alert.success").textContent(), `Thanks, ${secret}!`);
      await bobSees("after Alice saw her success message");

      // Bob's own submit shows Bob's errors only.
      await fill(bob.page, { name: "Bob" });
      await submit(bob.page);
      await assertFieldErrors(bob.page, ["email", "password"]);
      assert.equal(await input(bob.page, "name").inputValue(), "Bob");
      assert.doesNotMatch(await bob.page.content(), new RegExp(secret));
      assertClean(alice);
      assertClean(bob);
    });

    test("a name holding <script> is shown as text, in the flash and in the refilled input; no script runs", BUDGET, async (t) => {
      const user = await newUser(t);
      if (!user) return;
      const { page } = user;
      const name = `<script>alert("xss")</script><img src=x onerror="alert('img')">`;
      await open(page);

      await fill(page, { name, email: "mallory@example.com", password: "long enough password" });
      await submit(page);
      const success = page.locator(".alert.success");
      assert.equal(await success.textContent(), `Thanks, ${name}!`, "the success flash shows the name as typed");
      assert.match(await success.innerHTML(), /&lt;script&gt;alert\("xss"\)&lt;\/script&gt;&lt;img/);
      assert.equal(await page.locator("main script, main img").count(), 0, "no element came from the input");

      // An attribute-breaking name in old input stays inside the value attribute.
      const breaker = `"><script>alert("attr")</script>`;
      await fill(page, { name: breaker, email: "not an email" });
      await submit(page);
      assert.equal(await input(page, "name").inputValue(), breaker, "the refilled name is exactly what was typed");
      assert.equal(await page.locator("main script, main img").count(), 0, "no element came from the input");
      await assertFieldErrors(page, ["email", "password"]);

      assert.deepEqual(user.dialogs, [], "no dialog opened: no injected script ran");
      assert.deepEqual(user.problems, [], "no page error and no request to the injected <img>");
    });
  });
}
