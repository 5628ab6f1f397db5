import "./support/env";
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test, type TestContext } from "node:test";
import { AppProcess } from "./support/appProcess";
import type { SqlDialectName } from "masonite/sessions/stores";
import { createDatabase, type TestDatabase } from "./support/database";
import { HttpClient, sleep, Visitor, type Reply } from "./support/http";
import { freePort, waitFor } from "./support/redis";

/**
 * Database faults against a real app process on the database driver, on PostgreSQL and
 * MySQL/MariaDB (DATABASE_STATEMENT_TIMEOUT 1000 ms, a pool of 2): the database made unreachable (a TCP proxy of the test's own between the
 * app and the server is stopped; the machine's server itself keeps running), a session's row
 * locked by another connection, and the pool exhausted by requests waiting on that lock (with a
 * write queued behind them). Each
 * request answers 503 within the bound, never hangs, the app recovers by itself, and a session
 * holds exactly what its acknowledged requests wrote.
 */

const STATEMENT_TIMEOUT = 1000;
/** Only a hang-catcher: a request that waited for the database past its timeout outlasts it (the faults last longer). */
const BOUND = STATEMENT_TIMEOUT + 2000;
const POOL = 2;

type ServerDialect = Exclude<SqlDialectName, "sqlite">;
const DIALECTS: ServerDialect[] = ["postgres", "mysql"];
const SERVER: Record<ServerDialect, string> = { postgres: "PostgreSQL", mysql: "MySQL/MariaDB" };
const DEFAULT_PORTS: Record<ServerDialect, number> = { postgres: 5432, mysql: 3306 };
/** The key of the row whose session holds `owner` (each value is kept as its JSON text), and the statement locking a row by its key. */
const FIND_ROW: Record<ServerDialect, string> = {
  postgres: "SELECT id FROM sessions WHERE data ->> 'owner' = $1",
  mysql: "SELECT id FROM sessions WHERE JSON_UNQUOTE(JSON_EXTRACT(data, '$.owner')) = ?",
};
const LOCK_ROW: Record<ServerDialect, string> = { postgres: "SELECT id FROM sessions WHERE id = $1 FOR UPDATE", mysql: "SELECT id FROM sessions WHERE id = ? FOR UPDATE" };

/** A TCP proxy to the database server that the test can stop (refusing, every socket cut) and start again on the same port. */
class DatabaseProxy {
  readonly port: number;
  #target: { host: string; port: number };
  #server: net.Server | undefined;
  #sockets = new Set<net.Socket>();

  constructor(port: number, target: { host: string; port: number }) {
    this.port = port;
    this.#target = target;
  }

  async start(): Promise<void> {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(this.#target.port, this.#target.host);
      for (const socket of [inbound, outbound]) {
        this.#sockets.add(socket);
        socket.on("close", () => this.#sockets.delete(socket));
        socket.on("error", () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(this.port, "127.0.0.1", resolve));
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

interface Setup {
  db: TestDatabase;
  proxy: DatabaseProxy;
  app: AppProcess;
  client: HttpClient;
}

/** A database of the test's own, the proxy to it, and the app on the database driver through the proxy; all stopped after the test. */
async function setup(t: TestContext, dialect: ServerDialect): Promise<Setup | undefined> {
  const db = await createDatabase(dialect, t);
  if (!db) return undefined;
  const server = new URL(db.url);
  const proxy = new DatabaseProxy(await freePort(), { host: server.hostname, port: Number(server.port || DEFAULT_PORTS[dialect]) });
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  const app = await AppProcess.start({
    env: { SESSION_DRIVER: "database", DATABASE_URL: viaProxy.href, DATABASE_STATEMENT_TIMEOUT: String(STATEMENT_TIMEOUT), DATABASE_POOL: String(POOL), LOG_LEVEL: "warn" },
  });
  const client = new HttpClient(app.url, { timeoutMs: 20_000 });
  t.after(async () => {
    client.close();
    app.kill();
    await proxy.stop();
    await db.drop();
  });
  return { db, proxy, app, client };
}

/** The visitor's counter after one more increment, asserting it answered 200. */
async function increment(visitor: Visitor): Promise<number> {
  const reply = await visitor.get("/_rel/incr");
  assert.equal(reply.status, 200, `increment answered ${reply.status}: ${reply.body.slice(0, 300)}`);
  return (JSON.parse(reply.body) as { n: number }).n;
}

function assertBounded(replies: Reply[], what: string): void {
  for (const reply of replies) {
    assert.ok(reply.status === 503 || reply.status === 200, `${what}: only 200 or 503, got ${reply.status} ${reply.error ?? reply.body.slice(0, 200)}`);
    assert.ok(reply.ms <= BOUND, `${what}: answered within ${BOUND} ms, took ${reply.ms.toFixed(0)} ms`);
  }
}

/** Locks the session row that holds `owner` from the test's own connection, until the returned release. */
async function lockRow(db: TestDatabase, owner: string): Promise<() => Promise<void>> {
  const dialect = db.dialect as ServerDialect;
  const found = await db.query(FIND_ROW[dialect], [JSON.stringify(owner)]);
  assert.equal(found.length, 1, "the session's row is there to lock");
  await db.query("BEGIN");
  // By its key alone: InnoDB would lock every row a scan by the data column passes.
  await db.query(LOCK_ROW[dialect], [found[0]!.id]);
  return async () => {
    await db.query("COMMIT");
  };
}

for (const dialect of DIALECTS) describe(`database driver faults (${SERVER[dialect]})`, () => {
  test("database unreachable -> 503 within the bound, the process stays up, back by itself with the session intact", { timeout: 90_000 }, async (t) => {
    const made = await setup(t, dialect);
    if (!made) return;
    const { proxy, app, client } = made;
    const visitor = new Visitor(client);
    for (let n = 1; n <= 3; n++) assert.equal(await increment(visitor), n);

    await proxy.stop();
    const down: Reply[] = [];
    for (let i = 0; i < 4; i++) down.push(await visitor.get("/_rel/incr"));
    down.push(...(await Promise.all(Array.from({ length: 4 }, () => new Visitor(client).get("/_rel/incr")))));
    assertBounded(down, "database down");
    assert.deepEqual(down.map((reply) => reply.status), down.map(() => 503), "every request answered 503 while the database was unreachable");
    assert.ok(app.running, "the app stays up");

    await proxy.start();
    let n = 0;
    await waitFor("the app to answer 200 again", async () => {
      const reply = await visitor.get("/_rel/incr");
      assertBounded([reply], "recovering");
      if (reply.status === 200) n = (JSON.parse(reply.body) as { n: number }).n;
      return reply.status === 200;
    }, 15_000, 200);
    assert.equal(n, 4, "the session kept its count, and no request that answered 503 changed it");
    assert.equal(await increment(visitor), 5);
    assert.match(app.output, new RegExp(`"code":"E_SESSION_STORE_UNAVAILABLE".*${SERVER[dialect]} at 127\\.0\\.0\\.1:\\d+/masonite_test_\\w+, is unavailable: \\w`), "a log line names the database and the cause");
    assert.doesNotMatch(app.output, /unhandled|uncaught/i);
  });

  test("a locked row -> 503 within statementTimeout + margin, nothing half-written", { timeout: 90_000 }, async (t) => {
    const made = await setup(t, dialect);
    if (!made) return;
    const { db, app, client } = made;
    const visitor = new Visitor(client);
    const owner = `locked-${process.pid}`;
    assert.equal((await visitor.get(`/_rel/claim?owner=${owner}`)).status, 200);
    assert.equal(await increment(visitor), 1);

    // The read passes, the handler sleeps, the row is locked meanwhile: the request's write waits on the lock.
    const pending = visitor.get("/_rel/slow?ms=600&n=1");
    await sleep(200);
    const release = await lockRow(db, owner);
    let slow: Reply;
    try {
      slow = await pending;
      assertBounded([slow], "write on a locked row");
      assert.equal(slow.status, 503, "the write waiting on the lock answers 503");
      // A read waiting on the lock too.
      const read = await visitor.get("/_rel/incr");
      assertBounded([read], "read of a locked row");
      assert.equal(read.status, 503);
      // The server ended both statements at its statement_timeout; past it, releasing the lock must not let them apply.
      await sleep(STATEMENT_TIMEOUT + 500);
    } finally {
      await release();
    }
    const who = await visitor.get("/_rel/whoami");
    assert.equal(who.status, 200);
    assert.deepEqual((JSON.parse(who.body) as { keys: string[] }).keys.filter((key) => !key.startsWith("_")).sort(), ["n", "owner"], "the 503 write left nothing");
    assert.equal(await increment(visitor), 2, "the counter holds what the last acknowledged request wrote");
    // Whichever bound fires first names it: the app's own, PostgreSQL's statement_timeout, or MariaDB's max_statement_time / MySQL's lock wait timeout.
    assert.match(app.output, /"code":"E_SESSION_STORE_UNAVAILABLE".*is unavailable: (no answer within 1000 ms|canceling statement due to statement timeout|Query execution was interrupted \(max_statement_time exceeded\)|Lock wait timeout exceeded)/, "a log line names the timeout");
    assert.ok(app.running);
    assert.doesNotMatch(app.output, /unhandled|uncaught/i);
  });

  test("a write queued behind an exhausted pool past its request's bound is never sent: its 503 means nothing was written", { timeout: 90_000 }, async (t) => {
    const made = await setup(t, dialect);
    if (!made) return;
    const { db, app, client } = made;
    const blocked = new Visitor(client);
    const writer = new Visitor(client);
    const owner = `queue-${process.pid}`;
    assert.equal((await blocked.get(`/_rel/claim?owner=${owner}`)).status, 200);
    assert.equal(await increment(writer), 1);

    const release = await lockRow(db, owner);
    let write: Reply;
    try {
      // The writer's read passes; while its handler sleeps, requests on the locked row take every
      // connection and queue more behind them, so its write waits in the pool's queue past its bound.
      const pending = writer.get("/_rel/slow?ms=300&n=1");
      await sleep(100);
      const stuck = Array.from({ length: POOL * 4 }, () => blocked.get("/_rel/incr"));
      write = await pending;
      t.diagnostic(`the queued write answered ${write.status} in ${write.ms.toFixed(0)} ms`);
      assertBounded([write, ...(await Promise.all(stuck))], "behind an exhausted pool");
      await sleep(3 * STATEMENT_TIMEOUT);
    } finally {
      await release();
    }
    await sleep(STATEMENT_TIMEOUT);
    const who = await writer.get("/_rel/whoami");
    const keys = (JSON.parse(who.body) as { keys: string[] }).keys.filter((key) => !key.startsWith("_")).sort();
    assert.deepEqual(keys, write.status === 200 ? ["n", "s1"] : ["n"], `the write answered ${write.status}: the session holds what was acknowledged`);
    assert.ok(app.running);
    assert.doesNotMatch(app.output, /unhandled|uncaught/i);
  });

  test("the pool exhausted by requests waiting on a locked row -> each answers within the bound, none hangs", { timeout: 90_000 }, async (t) => {
    const made = await setup(t, dialect);
    if (!made) return;
    const { db, app, client } = made;
    const visitor = new Visitor(client);
    const bystander = new Visitor(client);
    const owner = `pool-${process.pid}`;
    assert.equal((await visitor.get(`/_rel/claim?owner=${owner}`)).status, 200);
    assert.equal(await increment(visitor), 1);
    assert.equal(await increment(bystander), 1);

    const release = await lockRow(db, owner);
    let replies: Reply[];
    try {
      replies = await Promise.all([...Array.from({ length: POOL * 3 }, () => visitor.get("/_rel/incr")), bystander.get("/_rel/incr")]);
      await sleep(STATEMENT_TIMEOUT + 500);
    } finally {
      await release();
    }
    assertBounded(replies, "pool exhausted");
    assert.deepEqual(replies.slice(0, -1).map((reply) => reply.status), replies.slice(0, -1).map(() => 503), "every request waiting on the lock answered 503");
    assert.equal(await increment(visitor), 2, "no request that answered 503 changed the session");
    const bystanderAfter = await increment(bystander);
    assert.equal(bystanderAfter, replies.at(-1)!.status === 200 ? 3 : 2, "the other visitor's session holds what its acknowledged requests wrote");
    assert.ok(app.running);
    assert.doesNotMatch(app.output, /unhandled|uncaught/i);
  });
});

/**
 * SQLite: another connection (this test process's own) holds the file's write lock with BEGIN
 * EXCLUSIVE, as a long migration or a backup would. Every session statement is a write (a read
 * slides the expiry), so each waits for the lock, between timers rather than in SQLite's busy
 * wait, which would stop the whole process: each request answers 503 within its own bound
 * however many wait at once, requests that touch no session answer meanwhile, a write that
 * answered 503 is never run after the lock is released, and the app recovers by itself.
 */
describe("database driver faults (SQLite)", () => {
  test("a locked database file -> each waiting request 503 within the bound, the process keeps answering, nothing lost, back when released", { timeout: 90_000 }, async (t) => {
    const db = await createDatabase("sqlite", t);
    if (!db) return;
    const app = await AppProcess.start({ env: { SESSION_DRIVER: "database", DATABASE_URL: db.url, DATABASE_STATEMENT_TIMEOUT: String(STATEMENT_TIMEOUT), LOG_LEVEL: "warn" } });
    const client = new HttpClient(app.url, { timeoutMs: 20_000 });
    t.after(async () => {
      client.close();
      app.kill();
      await db.query("ROLLBACK").catch(() => {});
      await db.drop();
    });
    const visitor = new Visitor(client);
    const others = Array.from({ length: 5 }, () => new Visitor(client));
    assert.equal(await increment(visitor), 1);
    for (const other of others) assert.equal(await increment(other), 1);

    // The read passes, the handler sleeps, the file is locked meanwhile: the request's write waits on the lock.
    const pending = visitor.get("/_rel/slow?ms=600&n=1");
    await sleep(200);
    await db.query("BEGIN EXCLUSIVE");
    let waiting: Reply[];
    let aside: Reply;
    try {
      const all = Promise.all([visitor.get("/_rel/incr"), ...others.map((other) => other.get("/_rel/incr"))]);
      await sleep(100);
      // No cookie, so no session to read: the process answers it while the others wait on the lock.
      aside = await client.request("/_rel/health");
      waiting = [await pending, ...(await all)];
      // Past every request's bound: releasing the lock must not let a statement of theirs run.
      await sleep(STATEMENT_TIMEOUT + 500);
    } finally {
      await db.query("COMMIT");
    }
    t.diagnostic(`locked file: ${waiting.length} waiting requests answered ${waiting.map((reply) => `${reply.status} in ${reply.ms.toFixed(0)} ms`).join(", ")}; a request without a session answered in ${aside.ms.toFixed(0)} ms`);
    assert.equal(aside.status, 200);
    assert.ok(aside.ms < STATEMENT_TIMEOUT / 2, `a request without a session answered in ${aside.ms.toFixed(0)} ms while the file was locked`);
    assertBounded(waiting, "locked SQLite file");
    assert.deepEqual(waiting.map((reply) => reply.status), waiting.map(() => 503), "every request waiting on the lock answered 503");

    const who = await visitor.get("/_rel/whoami");
    assert.equal(who.status, 200);
    assert.deepEqual((JSON.parse(who.body) as { keys: string[] }).keys.filter((key) => !key.startsWith("_")), ["n"], "the write that answered 503 left nothing");
    assert.equal(await increment(visitor), 2, "no request that answered 503 changed the session");
    for (const other of others) assert.equal(await increment(other), 2);
    const causes = new Set([...app.output.matchAll(/"code":"E_SESSION_STORE_UNAVAILABLE".*SQLite at \S+sessions\.db, is unavailable: (database is locked|no answer within 1000 ms)/g)].map((line) => line[1]));
    t.diagnostic(`logged causes: ${[...causes].join("; ")}`);
    assert.ok(causes.size > 0, `a log line names the file and the cause:\n${app.output.slice(-2000)}`);
    assert.ok(app.running);
    assert.doesNotMatch(app.output, /unhandled|uncaught/i);
  });
});
