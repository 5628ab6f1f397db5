import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test, type TestContext } from "node:test";
import { Logger } from "masonite/core";
import { DatabaseStore, databaseDialect, type Expiry, type SqlDialect, type SqlDialectName } from "masonite/sessions/stores";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";
import { createDatabase, type TestDatabase } from "./support/database";
import { lab } from "./support/lab-client";
import { SuiteSkip } from "./support/skip";
import { storeContract } from "./support/storeContract";

/**
 * The database session driver on each dialect, against real servers (PostgreSQL and MariaDB on
 * this machine, DATABASE_URL / MYSQL_URL when set) and a temporary SQLite file: the shared store
 * contract, then the session, flash, concurrency and registry flows over HTTP. Each dialect's
 * databases are made for this run and dropped after it, whatever the tests did.
 */
const NAME = "masonite_session";
const DIALECTS: SqlDialectName[] = ["postgres", "mysql", "sqlite"];
const SERVER: Record<SqlDialectName, string> = { postgres: "PostgreSQL", mysql: "MySQL/MariaDB", sqlite: "SQLite" };

for (const dialect of DIALECTS) {
  const skips = new SuiteSkip();
  const created: TestDatabase[] = [];
  let shared: Promise<TestDatabase | undefined> | undefined;
  after(async () => {
    for (const database of created) await database.drop();
  });

  /** A database of this run's own (with the sessions table unless `table` is false), dropped after the file's tests. */
  async function database(t: Pick<TestContext, "skip">, table = true): Promise<TestDatabase | undefined> {
    const made = await createDatabase(dialect, t, { table });
    if (made) created.push(made);
    return made;
  }

  /** The dialect on a database of this run's own (with the sessions table), connected for `body` and closed after it. */
  async function onDialect(t: Pick<TestContext, "skip">, body: (sql: SqlDialect, fresh: TestDatabase) => Promise<void>): Promise<void> {
    const fresh = await database(t);
    if (!fresh) return;
    const { dialect: sql } = databaseDialect({ url: fresh.url }, process.cwd(), Logger.silent());
    await sql.connect();
    try {
      await body(sql, fresh);
    } finally {
      await sql.close();
    }
  }

  // Each contract case gets a store of its own keys on one shared database: a new HMAC key is a new, empty table as far as the store can tell.
  storeContract(
    `database (${SERVER[dialect]})`,
    async () => {
      shared ??= database(skips);
      const made = await shared;
      if (!made) return undefined;
      const { dialect: sql, table, statementTimeout } = databaseDialect({ url: made.url }, process.cwd(), Logger.silent());
      const store = new DatabaseStore({ dialect: sql, table, statementTimeout, hashKey: randomBytes(32), sealKey: randomBytes(32), logger: Logger.silent() });
      await store.connect();
      return store;
    },
    { numRuns: 40, skipReason: `no ${SERVER[dialect]} server (see the warning above)` },
  );

  test(`database (${SERVER[dialect]}): the sweep deletes expired rows only, at most its limit per statement`, (t) =>
    onDialect(t, async (sql, fresh) => {
      const now = Date.now();
      for (let n = 0; n < 5; n++) await sql.write({ id: String(n).padStart(64, "0"), sealedId: "-", data: {}, json: "{}", createdAt: 1, expiresAt: n < 3 ? now - 1000 : now + 60_000, owner: null }, false, now);
      const count = async () => (await fresh.query("SELECT id FROM sessions")).length;
      await sql.sweep(now, 2);
      assert.equal(await count(), 3, "two of the three expired rows");
      await sql.sweep(now, 2);
      assert.equal(await count(), 2, "the live rows stay");
    }));

  test(`database (${SERVER[dialect]}): reads and patches write expires_at only once it lags the slide by more than the step, so most requests leave the indexed column as it was`, (t) =>
    onDialect(t, async (sql, fresh) => {
      const id = "a".repeat(64);
      await sql.write({ id, sealedId: "-", data: { n: 1 }, json: '{"n":1}', createdAt: 1, expiresAt: 100_000, owner: null }, false, 0);
      const expiresAt = async () => Number((await fresh.query("SELECT expires_at FROM sessions"))[0]!.expires_at);
      const increment = { set: new Map(), deleted: new Set<string>(), increments: new Map([["n", 1]]) };
      const read = async (expiry: Expiry) => {
        const row = await sql.read(id, expiry);
        return row && { ...row.data };
      };

      // Within the step (the row's expiry is not before slideBefore): read and patch leave it.
      assert.deepEqual(await read({ now: 1000, until: 100_500, slideBefore: 99_500 }), { n: 1 });
      assert.equal(await sql.patch(id, increment, { now: 1000, until: 100_500, slideBefore: 99_500 }, null), true);
      assert.equal(await expiresAt(), 100_000);
      // Due: each slides it to `until`.
      assert.deepEqual(await read({ now: 2000, until: 200_000, slideBefore: 199_000 }), { n: 2 });
      assert.equal(await expiresAt(), 200_000);
      assert.equal(await sql.patch(id, increment, { now: 3000, until: 300_000, slideBefore: 299_000 }, null), true);
      assert.equal(await expiresAt(), 300_000);
      assert.deepEqual(await read({ now: 3000, until: 300_000, slideBefore: 299_000 }), { n: 3 });
      // Past its expiry the row is neither read nor slid.
      assert.equal(await read({ now: 300_000, until: 400_000, slideBefore: 399_000 }), undefined);
      assert.equal(await expiresAt(), 300_000);
    }));

  test(`database (${SERVER[dialect]}): patches of many shapes each apply, past the ones PostgreSQL keeps a named statement for`, (t) =>
    onDialect(t, async (sql, fresh) => {
      const id = "b".repeat(64);
      const expiry = { now: 0, until: 100_000, slideBefore: 99_000 };
      await sql.write({ id, sealedId: "-", data: {}, json: "{}", createdAt: 1, expiresAt: 100_000, owner: null }, false, 0);
      const expected: Record<string, number> = {};
      for (let shape = 1; shape <= 40; shape++) {
        const set = new Map(Array.from({ length: shape }, (_, k) => [`s${shape}_${k}`, k] as [string, number]));
        const increments = new Map([[`n${shape % 3}`, shape]]);
        assert.equal(await sql.patch(id, { set, deleted: new Set(), increments }, expiry, null), true, `shape ${shape}`);
        for (const [key, value] of set) expected[key] = value;
        expected[`n${shape % 3}`] = (expected[`n${shape % 3}`] ?? 0) + shape;
      }
      assert.deepEqual({ ...(await sql.read(id, expiry))!.data }, expected);
    }));

  describe(`database driver on ${SERVER[dialect]}, over HTTP`, () => {
    let db: TestDatabase | undefined;
    let app: TestClient;
    const http = new SuiteSkip();

    before(async () => {
      db = await database(http);
      if (db) app = await startApp({ driver: "database", driverConfig: { url: db.url } });
    });
    after(() => app?.close());

    const ready = (t: TestContext) => !http.skipped(t);
    const rows = () => db!.query("SELECT id, sealed_id, data, created_at, expires_at, owner FROM sessions");

    test("the browser holds a 256-bit random id; the table holds only its HMAC, and the id appears in no column", async (t) => {
      if (!ready(t)) return;
      const c = app.visitor();
      await lab(c, { op: "set", key: "cart", value: { items: [1, 2] } });
      const id = c.jar.get(NAME)!;
      assert.equal(Buffer.from(id, "base64url").length, 32);
      const all = await rows();
      assert.ok(all.length >= 1);
      for (const row of all) {
        assert.match(String(row.id), /^[0-9a-f]{64}$/);
        for (const [column, value] of Object.entries(row)) assert.ok(!JSON.stringify(value).includes(id), `column ${column} holds no session id`);
      }
      assert.deepEqual(await lab(c, { op: "get", key: "cart" }), [{ items: [1, 2] }]);
    });

    test("a visitor who stores nothing writes no row and gets no cookie", async (t) => {
      if (!ready(t)) return;
      const before = (await rows()).length;
      const page = await app.visitor().get("/_lab/all");
      page.assertOk();
      assert.deepEqual(page.headers.getSetCookie(), []);
      assert.equal((await rows()).length, before);
    });

    test("an expired row is never read: its id starts a fresh session", async (t) => {
      if (!ready(t)) return;
      const c = app.visitor();
      await lab(c, { op: "set", key: "secret", value: 1 });
      const id = c.jar.get(NAME);
      await db!.query("UPDATE sessions SET expires_at = 1");
      assert.deepEqual(await lab(c, { op: "get", key: "secret" }), [null]);
      await lab(c, { op: "set", key: "again", value: 1 });
      assert.notEqual(c.jar.get(NAME), id, "a new id");
    });

    test("300 concurrent increments in one session end at exactly 300; 100 concurrent writes of different keys all land", { timeout: 120_000 }, async (t) => {
      if (!ready(t)) return;
      const c = app.visitor();
      const token = await c.csrfToken();
      const increments = await Promise.all(Array.from({ length: 300 }, () => c.post("/_lab", { __token: token, ops: [{ op: "increment", key: "n" }] }, { json: true, csrf: false })));
      increments.forEach((r) => r.assertOk());
      assert.deepEqual(await lab(c, { op: "get", key: "n" }), [300]);
      await Promise.all(Array.from({ length: 100 }, (_, i) => c.post("/_lab", { __token: token, ops: [{ op: "set", key: `key${i}`, value: i }] }, { json: true, csrf: false })));
      const [all] = (await lab(c, { op: "all" })) as [Record<string, number>];
      for (let i = 0; i < 100; i++) assert.equal(all[`key${i}`], i);
    });

    test("flash: a contact form's errors and old input show once, then are gone", async (t) => {
      if (!ready(t)) return;
      const c = app.visitor();
      await c.get("/contact");
      const sent = await c.post("/contact", { name: "Ada", email: "nope", password: "short" }, { headers: { referer: `${c.url}/contact` } });
      sent.assertRedirect("/contact").assertHasErrors("email");
      const page = await c.get("/contact");
      page.assertOk().assertSee("That email does not look right");
      assert.match(page.text, /<input name="name" value="Ada"/);
      (await c.get("/contact")).assertDontSee("That email does not look right");
    });

    test("the registry: devices of one user list each other, revoke and sign out the others end them, whatever they send next", async (t) => {
      if (!ready(t)) return;
      const user = `ada-${dialect}`;
      const devices: TestClient[] = [];
      for (let n = 0; n < 3; n++) {
        const device = app.visitor();
        assert.equal((await device.get(`/_auth/sign-in/${user}`, { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0" } })).status, 302);
        devices.push(device);
      }
      const [mine, second, third] = devices as [TestClient, TestClient, TestClient];
      const page = await mine.get("/account/sessions");
      assert.match(page.text, /Firefox on Linux/);
      const handles = [...page.text.matchAll(/<li class="session" data-handle="([^"]+)">([\s\S]*?)<\/li>/g)];
      assert.equal(handles.length, 3);
      const secondHandle = [...(await second.get("/account/sessions")).text.matchAll(/<li class="session" data-handle="([^"]+)">([\s\S]*?)<\/li>/g)].find((m) => m[2]!.includes('class="current"'))![1]!;
      await mine.post(`/account/sessions/${secondHandle}/revoke`);
      assert.match((await mine.get("/account/sessions")).text, /That device is signed out\./);
      assert.match((await second.get("/account/sessions")).text, /<h1>Signed out<\/h1>/);
      await mine.post("/account/sessions/others/revoke");
      assert.match((await mine.get("/account/sessions")).text, /Signed out 1 other devices\./);
      assert.match((await third.get("/account/sessions")).text, /<h1>Signed out<\/h1>/);
      const owners = (await rows()).map((row) => row.owner).filter((owner) => owner !== null);
      assert.ok(owners.every((owner) => /^[0-9a-f]{64}$/.test(String(owner))), "the owner column holds an HMAC, not the user");
    });

    test("a session over DRIVERS.database.maxSize: the error names the limit and the setting, no row is written or changed, and a failing form still goes back with its errors", async (t) => {
      if (!ready(t)) return;
      const small = await startApp({ driver: "database", driverConfig: { url: db!.url, maxSize: 4096 }, app: { DEBUG: true } });
      try {
        const c = small.visitor();
        await lab(c, { op: "set", key: "kept", value: "yes" });
        // The read of the refused request slides the row's expiry, as any request's does; nothing else may change.
        const stored = async () => (await rows()).map(({ expires_at: _slid, ...row }) => row);
        const before = await stored();
        const over = await c.post("/_lab/big", { bytes: 5000 }, { headers: { accept: "application/json" } });
        over.assertStatus(500);
        const { error } = over.json<{ error: { code: string; message: string } }>();
        assert.equal(error.code, "E_SESSION_TOO_LARGE");
        assert.match(error.message, /over its store's limit of 4096; nothing was saved\. Store less in the session, or raise DRIVERS\.database\.maxSize \(4096 bytes\) in config\/session\.ts\./);
        assert.deepEqual(over.headers.getSetCookie(), [], "no cookie was written");
        assert.deepEqual(await stored(), before, "no row was written or changed");
        assert.deepEqual(await lab(c, { op: "all" }), [{ kept: "yes" }]);

        const form = small.visitor();
        await form.get("/contact");
        const sent = await form.post("/contact", { name: "Ada", email: "nope", password: "short", bio: "b".repeat(5000) }, { headers: { referer: `${form.url}/contact` } });
        sent.assertRedirect("/contact").assertHasErrors("email");
        assert.deepEqual(sent.oldInput, { name: "Ada", email: "nope" }, "the field that did not fit is left out, the others kept");
        const page = await form.get("/contact");
        page.assertOk().assertSee("That email does not look right");
        assert.ok((await rows()).every((row) => !JSON.stringify(row.data).includes("b".repeat(1000))), "the field that did not fit is in no row");
      } finally {
        await small.close();
      }
    });

    test("a missing table stops start-up with a message that names craft session:table", async (t) => {
      if (!ready(t)) return;
      const bare = await database(t, false);
      if (!bare) return;
      await assert.rejects(startApp({ driver: "database", driverConfig: { url: bare.url } }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_SESSION_TABLE");
        assert.match(error.message, /has no table "sessions"/);
        assert.match(error.message, /craft session:table/);
        return true;
      });
      await bare.query(dialect === "mysql" ? "CREATE TABLE sessions (id CHAR(64) PRIMARY KEY, data TEXT)" : "CREATE TABLE sessions (id CHAR(64) PRIMARY KEY, data TEXT)");
      await assert.rejects(startApp({ driver: "database", driverConfig: { url: bare.url } }), /without the columns sealed_id, created_at, expires_at, owner.*craft session:table/);
    });
  });
}
