import "./support/env";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Route } from "masonite/routes";
import { Session } from "masonite/sessions";
import type { TestClient } from "masonite/testing";
import { sessionFolder, startApp, type DriverName } from "./support/app";
import { AppProcess } from "./support/appProcess";
import { closedLoop, HttpClient, sleep, Visitor } from "./support/http";
import { createDatabase, type TestDatabase } from "./support/database";
import { RedisServer } from "./support/redis";
import { SuiteSkip } from "./support/skip";

/** A page of a signed-in device that writes (a view counter): what a revoke races with. */
class SeenProbe extends Controller {
  @inject()
  seen(session: Session) {
    return { user: session.get<string>("user_id") ?? null, seen: session.increment("seen") };
  }
}

/**
 * Concurrent requests of one user on the server-side drivers: increments acknowledged with a
 * 2xx all land (one process, and two workers sharing the file driver's folder or a database),
 * writes of different keys all land, and a revoke is never undone by a request in flight
 * (file, memory, redis and database).
 */

interface Counted {
  acknowledged: number;
  stored: number;
  statuses: Record<number, number>;
}

/** One signed-in user, `connections` at once for `seconds`, each request `session.increment("n")`; then the stored counter. */
async function countIncrements(url: string, connections: number, seconds: number): Promise<Counted> {
  const client = new HttpClient(url, { maxSockets: connections });
  try {
    const visitor = new Visitor(client);
    assert.equal((await visitor.get("/_rel/claim?owner=counter")).status, 200);
    const cookie = visitor.jar.header()!;
    const statuses: Record<number, number> = {};
    let acknowledged = 0;
    const until = performance.now() + seconds * 1000;
    await closedLoop(connections, () => performance.now() < until, async () => {
      const reply = await client.request("/_rel/incr", { headers: { cookie } });
      statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
      if (reply.status >= 200 && reply.status < 300) acknowledged++;
    });
    // One more increment, alone: it answers the stored value plus one.
    const last = await client.request("/_rel/incr", { headers: { cookie } });
    assert.equal(last.status, 200);
    return { acknowledged, stored: (JSON.parse(last.body) as { n: number }).n - 1, statuses };
  } finally {
    client.close();
  }
}

/** `count` requests, 32 at once, each setting a key of its own; answers the keys acknowledged and the keys the session then holds. */
async function writeKeys(url: string, count: number): Promise<{ acknowledged: string[]; keys: string[]; statuses: Record<number, number> }> {
  const client = new HttpClient(url, { maxSockets: 32 });
  try {
    const visitor = new Visitor(client);
    await visitor.get("/_rel/claim?owner=writer");
    const cookie = visitor.jar.header()!;
    const acknowledged: string[] = [];
    const statuses: Record<number, number> = {};
    await closedLoop(32, (i) => i < count, async (i) => {
      const { status } = await client.request(`/_rel/write?n=${i}`, { headers: { cookie } });
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) acknowledged.push(`w${i}`);
    });
    const { keys } = JSON.parse((await client.request("/_rel/whoami", { headers: { cookie } })).body) as { keys: string[] };
    return { acknowledged: acknowledged.sort(), keys: keys.filter((key) => /^w\d+$/.test(key)).sort(), statuses };
  } finally {
    client.close();
  }
}

/** The databases the database driver's runs made, dropped when the file's tests end. */
const databases: TestDatabase[] = [];
after(async () => {
  for (const database of databases) await database.drop();
});

/** The app on a database of its own (undefined, skipped loudly, without a server). */
async function onDatabase(dialect: "postgres" | "mysql", t: TestContext, args: string[] = []): Promise<AppProcess | undefined> {
  const database = await createDatabase(dialect, t);
  if (!database) return undefined;
  databases.push(database);
  return AppProcess.start({ env: { SESSION_DRIVER: "database", DATABASE_URL: database.url }, args });
}

describe("one user's concurrent increments: every acknowledged one is stored", () => {
  const setups: [string, (t: TestContext) => Promise<AppProcess | undefined>][] = [
    ["memory, one process", () => AppProcess.start({ env: { SESSION_DRIVER: "memory" } })],
    ["file, one process", () => AppProcess.start({ env: { SESSION_DRIVER: "file", TEST_SESSION_DIRECTORY: sessionFolder() } })],
    ["file, craft serve --workers 2", () => AppProcess.start({ env: { SESSION_DRIVER: "file", TEST_SESSION_DIRECTORY: sessionFolder() }, args: ["--workers", "2"] })],
    ["database (PostgreSQL), craft serve --workers 2", (t) => onDatabase("postgres", t, ["--workers", "2"])],
    ["database (MariaDB), one process", (t) => onDatabase("mysql", t)],
  ];
  for (const [name, start] of setups) {
    test(`${name}: 32 connections for 3 s, zero lost; 300 writes of different keys all land`, { timeout: 180_000 }, async (t) => {
      const app = await start(t);
      if (!app) return;
      t.after(() => app.kill());
      const { acknowledged, stored, statuses } = await countIncrements(app.url, 32, 3);
      const lost = acknowledged - stored;
      t.diagnostic(`[concurrency] ${name}: ${acknowledged} acknowledged increments, stored counter ${stored}, lost ${lost} (${((100 * lost) / Math.max(1, acknowledged)).toFixed(1)}%); statuses ${JSON.stringify(statuses)}`);
      assert.ok(acknowledged >= 50, `enough increments to mean something (${acknowledged})`);
      assert.equal(stored, acknowledged, "no acknowledged increment lost, none counted twice");
      // Only a lock not free within lockTimeout (a machine too busy) may refuse a request, with a 503 that saves nothing.
      assert.deepEqual(Object.keys(statuses).filter((status) => status !== "200" && status !== "503"), []);
      const writes = await writeKeys(app.url, 300);
      t.diagnostic(`[concurrency] ${name}: 300 writes of different keys, statuses ${JSON.stringify(writes.statuses)}, ${writes.keys.length} keys stored`);
      assert.ok(writes.acknowledged.length >= 150, `most writes acknowledged (${writes.acknowledged.length})`);
      assert.deepEqual(writes.keys, writes.acknowledged, "every acknowledged key lands, and nothing refused does");
    });
  }
});

/** The handles an "active sessions" page lists. */
function handles(html: string): string[] {
  return [...html.matchAll(/<li class="session" data-handle="([^"]+)">/g)].map((m) => m[1]!);
}

for (const driver of ["file", "memory", "redis", "database"] as DriverName[]) {
  describe(`a revoke is never undone by a request in flight (${driver} driver${driver === "database" ? ", PostgreSQL" : ""})`, () => {
    let app: TestClient | undefined;
    let redis: RedisServer | undefined;
    let database: TestDatabase | undefined;
    const skips = new SuiteSkip();
    before(async () => {
      redis = driver === "redis" ? await RedisServer.startOrSkip(skips) : undefined;
      if (driver === "redis" && !redis) return;
      database = driver === "database" ? await createDatabase("postgres", skips) : undefined;
      if (driver === "database" && !database) return;
      app = await startApp({
        driver,
        redisUrl: redis?.url,
        driverConfig: driver === "file" ? { directory: sessionFolder() } : database ? { url: database.url } : undefined,
        routes: [Route.get("/_race/seen", [SeenProbe, "seen"])],
      });
    });
    after(async () => {
      await app?.close();
      await redis?.stop();
      await database?.drop();
    });

    async function signIn(user: string): Promise<TestClient> {
      const device = app!.visitor();
      assert.equal((await device.get(`/_auth/sign-in/${user}`)).status, 302);
      return device;
    }

    test("B writes four requests at a time while A signs out the other devices: B is signed out, A's list is right, a second revoke ends nothing", { timeout: 180_000 }, async (t: TestContext) => {
      if (skips.skipped(t)) return;
      for (let round = 0; round < 5; round++) {
        const user = `race-${round}`;
        const a = await signIn(user);
        const b = await signIn(user);
        assert.equal(handles((await a.get("/account/sessions")).text).length, 2);
        let stop = false;
        let writes = 0;
        // B's requests carry its signed-in cookie throughout, as four tabs of a browser would.
        const cookie = b.jar.header()!;
        const traffic = closedLoop(4, () => !stop, async () => {
          const reply = await fetch(`${app!.url}/_race/seen`, { headers: { cookie } });
          await reply.arrayBuffer();
          if (reply.status === 200) writes++;
        });
        while (writes < 8) await sleep(5);
        const revoked = await a.post("/account/sessions/others/revoke");
        assert.equal(revoked.status, 302);
        const settled = writes;
        while (writes < settled + 8) await sleep(5); // requests that started before the revoke have ended by now
        stop = true;
        await traffic;
        const bNow = await b.get("/account/sessions");
        assert.match(bNow.text, /<h1>Signed out<\/h1>/, `round ${round}: B is signed out`);
        const page = await a.get("/account/sessions");
        assert.match(page.text, /Signed out 1 other devices\./, `round ${round}`);
        assert.equal(handles(page.text).length, 1, `round ${round}: only A is listed`);
        await a.post("/account/sessions/others/revoke");
        assert.match((await a.get("/account/sessions")).text, /Signed out 0 other devices\./, `round ${round}: nothing left to revoke`);
        assert.match((await b.get("/account/sessions")).text, /<h1>Signed out<\/h1>/, `round ${round}: B stays signed out`);
      }
    });

    test("a whole rewrite in flight (flush, regenerate, invalidate) while A signs out the other devices: B stays signed out", { timeout: 120_000 }, async (t: TestContext) => {
      if (skips.skipped(t)) return;
      const rewrites: Record<string, unknown[]> = {
        flush: [{ op: "flush" }, { op: "set", key: "user_id", value: "rewrite-flush" }],
        regenerate: [{ op: "regenerate" }],
        invalidate: [{ op: "invalidate" }, { op: "set", key: "note", value: "x" }],
      };
      for (const [what, ops] of Object.entries(rewrites)) {
        let a: TestClient;
        let b: TestClient;
        // B's request reads its user first: a busy machine can delay it past the revoke, and a
        // request that loaded no signed-in session proves nothing, so that attempt starts over.
        for (let attempt = 1; ; attempt++) {
          a = await signIn(`rewrite-${what}-${attempt}`);
          b = await signIn(`rewrite-${what}-${attempt}`);
          await b.csrfToken();
          // B's request loads its session, waits while A revokes it, then rewrites it whole.
          const inFlight = b.post("/_lab", { ops: [{ op: "get", key: "user_id" }, { op: "pause", value: 600 }, ...ops] }, { json: true });
          await sleep(150);
          assert.equal((await a.post("/account/sessions/others/revoke")).status, 302);
          const reply = await inFlight;
          assert.equal(reply.status, 200, what);
          if (reply.json<{ results: unknown[] }>().results[0] === `rewrite-${what}-${attempt}`) break;
          assert.ok(attempt < 10, `${what}: B's request never loaded its session before the revoke in 10 attempts`);
        }
        assert.match((await b.get("/account/sessions")).text, /<h1>Signed out<\/h1>/, `${what}: B is signed out`);
        const page = await a.get("/account/sessions");
        assert.equal(handles(page.text).length, 1, `${what}: only A is listed`);
        await a.post("/account/sessions/others/revoke");
        assert.match((await a.get("/account/sessions")).text, /Signed out 0 other devices\./, `${what}: nothing left to revoke`);
      }
    });
  });
}

test("file driver: the folders are private (0700) and no name a local account could list works as a session cookie", { timeout: 60_000 }, async () => {
  const directory = sessionFolder();
  const app = await startApp({ driver: "file", driverConfig: { directory } });
  try {
    const ada = app.visitor();
    assert.equal((await ada.get("/_auth/sign-in/ada-files")).status, 302);
    assert.doesNotMatch((await ada.get("/account/sessions")).text, /<h1>Signed out<\/h1>/);
    for (const folder of [directory, path.join(directory, "owners")]) assert.equal(statSync(folder).mode & 0o777, 0o700, `${folder} is 0700`);
    const names = readdirSync(directory, { recursive: true }).map((name) => path.basename(String(name)).replace(/\.json$/, ""));
    assert.ok(names.length >= 3, `the session, its owner folder and its entry: ${names.join(", ")}`);
    for (const name of names) {
      const intruder = app.visitor();
      intruder.jar.set("masonite_session", name);
      assert.match((await intruder.get("/account/sessions")).text, /<h1>Signed out<\/h1>/, `a listed name (${name}) is no session id`);
    }
  } finally {
    await app.close();
  }
});
