import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test, type TestContext } from "node:test";
import type { TestClient } from "masonite/testing";
import { startAppOn, type DriverApp, type DriverSetup } from "./support/app";
import { waitFor } from "./support/redis";
import { SuiteSkip } from "./support/skip";

/** The handles of the sessions an "active sessions" page lists, and which one is this device. */
function listed(html: string): { handles: string[]; current: string | undefined } {
  const items = [...html.matchAll(/<li class="session" data-handle="([^"]+)">([\s\S]*?)<\/li>/g)];
  return { handles: items.map((m) => m[1]!), current: items.find((m) => m[2]!.includes('class="current"'))?.[1] };
}

/** The "active sessions" page of docs/sessions-registry.md over HTTP, on the server-side drivers it names. */
for (const driver of ["redis", "file", "database:postgres", "database:mysql", "database:sqlite"] as DriverSetup[]) {
  describe(`a user's sessions: list, revoke, log out the others (${driver} driver)`, () => {
    let running: DriverApp | undefined;
    const skips = new SuiteSkip();
    before(async () => {
      running = await startAppOn(driver, skips);
    });
    after(() => running?.close());

    async function signedIn(t: TestContext, user: string): Promise<TestClient | undefined> {
      if (skips.skipped(t)) return undefined;
      const visitor = running!.app.visitor();
      const response = await visitor.get(`/_auth/sign-in/${user}`, { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0" } });
      assert.equal(response.status, 302);
      return visitor;
    }

    test("two devices of one user list each other; revoking one signs it out; another user's session is untouched", async (t) => {
      const laptop = await signedIn(t, "ada-1");
      if (!laptop) return;
      const phone = (await signedIn(t, "ada-1"))!;
      const bob = (await signedIn(t, "bob-1"))!;
      const page = await laptop.get("/account/sessions");
      assert.equal(page.status, 200);
      assert.match(page.text, /Firefox on Linux/);
      const { handles, current } = listed(page.text);
      assert.equal(handles.length, 2);
      assert.ok(current && handles.includes(current), "the laptop's own session is marked");
      const other = handles.find((handle) => handle !== current)!;
      assert.equal(listed((await phone.get("/account/sessions")).text).current, other, "the phone sees the same two, itself marked");

      // Bob cannot revoke Ada's phone with its handle: his own sessions only.
      assert.equal((await bob.post(`/account/sessions/${other}/revoke`)).status, 302);
      assert.equal(listed((await phone.get("/account/sessions")).text).handles.length, 2, "still signed in");

      const revoked = await laptop.post(`/account/sessions/${other}/revoke`);
      assert.equal(revoked.status, 302);
      const afterRevoke = await laptop.get("/account/sessions");
      assert.match(afterRevoke.text, /That device is signed out\./);
      assert.deepEqual(listed(afterRevoke.text).handles, [current]);
      const phoneNow = await phone.get("/account/sessions");
      assert.match(phoneNow.text, /<h1>Signed out<\/h1>/, "the revoked device is signed out on its next page");
      assert.deepEqual(phoneNow.session, {}, "a fresh, empty session");
      assert.equal(listed((await bob.get("/account/sessions")).text).handles.length, 1, "bob is untouched");
    });

    test("sign out all other devices keeps this one; a POST without the CSRF token changes nothing", async (t) => {
      const devices = [];
      for (let n = 0; n < 3; n++) {
        const device = await signedIn(t, "ada-2");
        if (!device) return;
        devices.push(device);
      }
      const [mine, ...others] = devices as [TestClient, ...TestClient[]];
      assert.equal((await mine.post("/account/sessions/others/revoke", {}, { csrf: false })).status, 419);
      assert.equal(listed((await mine.get("/account/sessions")).text).handles.length, 3);
      await mine.post("/account/sessions/others/revoke");
      const page = await mine.get("/account/sessions");
      assert.match(page.text, /Signed out 2 other devices\./);
      assert.equal(listed(page.text).handles.length, 1);
      for (const other of others) assert.match((await other.get("/account/sessions")).text, /<h1>Signed out<\/h1>/);
    });

    if (driver === "redis") {
      test("a signed-in request costs Redis what an anonymous one does; sign-in adds nothing to the commit's round trip", async (t) => {
        if (skips.skipped(t)) return;
        // What the app sends, as MONITOR sees it: commands scripts run inside Redis are not round trips.
        const { app, redis } = running!;
        const monitor = await redis!.client().monitor();
        const marker = redis!.client();
        const sent: string[][] = [];
        monitor.on("monitor", (_time: string, args: string[], source: string) => {
          if (!source.includes("lua")) sent.push(args);
        });
        t.after(() => {
          monitor.disconnect();
          marker.disconnect();
        });
        // MONITOR reports commands in the order Redis ran them, so an ECHO sent after the request
        // shows up only after everything the request sent: waiting for it replaces a guessed pause.
        let marks = 0;
        const mark = async () => {
          const word = `mark-${++marks}`;
          await marker.echo(word);
          await waitFor(`MONITOR to report ECHO ${word}`, () => sent.some(([name, arg]) => name!.toLowerCase() === "echo" && arg === word));
        };
        const cost = async (send: () => Promise<unknown>) => {
          await mark();
          sent.length = 0;
          await send();
          await mark();
          return sent.map(([name]) => name!.toLowerCase()).filter((name) => name !== "echo");
        };
        const anonymous = app.visitor();
        await anonymous.get("/contact");
        const user = (await signedIn(t, "ada-3"))!;
        await user.get("/contact");
        // Each request here is followed by the test client's own look at the session: one more load.
        assert.deepEqual(await cost(() => user.get("/contact")), ["evalsha", "evalsha"], "a page view: one load, nothing more");
        assert.deepEqual(await cost(() => anonymous.get("/contact")), ["evalsha", "evalsha"]);
        const fresh = app.visitor();
        await fresh.post("/_flash/success"); // an anonymous session, then sign-in
        // Sign-in loads, commits the new id (its index entry in the same script) and drops the old id: what regenerate() always cost.
        assert.deepEqual(await cost(() => fresh.get("/_auth/sign-in/ada-3")), ["evalsha", "evalsha", "unlink", "evalsha"]);
      });
    }
  });
}
