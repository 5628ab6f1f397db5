import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startAppOn, type DriverApp, type DriverSetup } from "./support/app";
import { launchOrSkip } from "./support/browser";
import { SuiteSkip } from "./support/skip";

/**
 * "Active sessions" in headless Chromium: two browsers signed in as one user and a third as
 * another; the first lists both of its user's sessions (its own marked), signs the other out,
 * which lands signed out on its next page load, and the third user is untouched.
 */

let browser: Browser | undefined;

/** Per test and per hook, only to catch a hang: Chromium on two busy cores is slow, never this slow. */
const BUDGET = { timeout: 60_000 };

test("headless Chromium starts (or the browser tests are skipped, loudly)", BUDGET, async (t) => {
  browser = await launchOrSkip(t);
});

after(async () => {
  await browser?.close();
});

for (const driver of ["redis", "file"] as DriverSetup[]) {
  describe(`active sessions in headless Chromium (${driver} driver)`, () => {
    let running: DriverApp | undefined;
    const contexts: BrowserContext[] = [];
    const skips = new SuiteSkip();

    before(async () => {
      if (browser) running = await startAppOn(driver, skips);
    }, BUDGET);

    after(async () => {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await running?.close();
    });

    async function signedIn(user: string): Promise<Page> {
      const context = await browser!.newContext({ baseURL: running!.app.url });
      contexts.push(context);
      context.setDefaultTimeout(20_000);
      context.setDefaultNavigationTimeout(30_000);
      const page = await context.newPage();
      await page.goto(`/_auth/sign-in/${user}`);
      assert.equal(new URL(page.url()).pathname, "/account/sessions");
      assert.equal(await page.locator(".user").textContent(), user);
      return page;
    }

    test("the first device lists two sessions, its own marked, and signs the other out; another user is untouched", BUDGET, async (t) => {
      if (!browser) return t.skip("no Chromium (see the warning above)");
      if (skips.skipped(t)) return;
      const first = await signedIn("ada");
      const second = await signedIn("ada");
      const third = await signedIn("grace");

      await first.reload();
      const rows = first.locator("li.session");
      assert.equal(await rows.count(), 2);
      assert.deepEqual(await rows.locator(".agent").allTextContents(), ["Chrome on Linux", "Chrome on Linux"]);
      assert.equal(await first.locator("li.session .current").count(), 1, "one session is this device");
      assert.equal(await rows.first().locator(".current").count(), 1, "the most recently active, this one, comes first");

      await Promise.all([first.waitForEvent("load"), rows.nth(1).getByRole("button", { name: "Sign out" }).click()]);
      assert.equal(new URL(first.url()).pathname, "/account/sessions");
      assert.equal(await first.locator(".alert.success").textContent(), "That device is signed out.");
      assert.equal(await first.locator("li.session").count(), 1);

      await second.reload();
      assert.equal(await second.locator("h1").textContent(), "Signed out", "the revoked browser is signed out on its next page");
      await third.reload();
      assert.equal(await third.locator(".user").textContent(), "grace");
      assert.equal(await third.locator("li.session").count(), 1, "grace still has her session");
      await first.reload();
      assert.equal(await first.locator(".user").textContent(), "ada", "the first browser stays signed in");
    });
  });
}
