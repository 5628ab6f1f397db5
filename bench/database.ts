import { readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { sessionTableSql } from "masonite/sessions/stores";
import { BENCH_SESSION_TABLE } from "./app";
import { FLOOR_DATABASE_TABLE_SQL } from "./floors";

/** The server the bench makes its database on: DATABASE_URL (as the database tests read it), else this machine's. */
const ADMIN_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
/** connect-pg-simple's default table, made with the statements its package ships (table.sql), as its README says. */
export const PEER_SESSION_TABLE = "session";
/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * The PostgreSQL database the database scenarios talk to: one of the bench's own, named after
 * its process (`masonite_bench_<pid>`), with the framework's, the floor's and the peer's tables,
 * dropped at the end. No server answering stops the bench with a message saying so: a database
 * scenario is never skipped without a word.
 */
export class BenchDatabase {
  readonly url: string;
  readonly name: string;
  #admin: Client;
  #client: Client;

  private constructor(url: string, name: string, admin: Client, client: Client) {
    this.url = url;
    this.name = name;
    this.#admin = admin;
    this.#client = client;
  }

  static async start(): Promise<BenchDatabase> {
    const name = `masonite_bench_${process.pid}`;
    const admin = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      // The bench measures CPU per request. With every commit waiting for its WAL flush (about
      // 1.3 ms on this machine's disk), the three servers mostly wait and their CPU per request is
      // wake-ups; without the wait they are CPU-bound as the other scenarios are. It is the same for
      // all three and a setting of the server's, not of any session store: the driver sets nothing.
      await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
    } catch (error) {
      await admin.end().catch(() => {});
      throw new Error(`the database scenarios need PostgreSQL: none answers at ${new URL(ADMIN_URL).host} (${(error as Error).message}). Start it, or point DATABASE_URL at a server the bench may create databases on.`);
    }
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const client = new Client({ connectionString: url.href });
    const database = new BenchDatabase(url.href, name, admin, client);
    try {
      await client.connect();
      for (const statement of sessionTableSql("postgres", BENCH_SESSION_TABLE)) await client.query(statement);
      await client.query(FLOOR_DATABASE_TABLE_SQL);
      await client.query(readFileSync(path.join(path.dirname(require.resolve("connect-pg-simple/package.json")), "table.sql"), "utf8"));
    } catch (error) {
      await database.stop();
      throw error;
    }
    return database;
  }

  async query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]> {
    return (await this.#client.query(sql, values)).rows as Row[];
  }

  /**
   * CPU seconds (user + system) that the PostgreSQL processes serving one bench server used:
   * those whose application_name says that server's pid (`serverBackendName`). Read from /proc,
   * so only for a PostgreSQL on this machine (undefined otherwise). A connection opened during a
   * run brings its start-up with it; one closed during a run takes its time away (a pool keeps its
   * connections open while it is busy).
   */
  async cpuSeconds(serverPid: number): Promise<number | undefined> {
    if (!["localhost", "127.0.0.1", "[::1]"].includes(new URL(this.url).hostname)) return undefined;
    const rows = await this.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", [serverBackendName(serverPid)]);
    let ticks = 0;
    for (const { pid } of rows) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue; // it exited since
      }
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / TICKS_PER_S;
  }

  async stop(): Promise<void> {
    await this.#client.end().catch(() => {});
    await this.#admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    await this.#admin.end();
  }
}

/** The application_name a bench server's PostgreSQL connections carry (set through PGAPPNAME, which pg reads). */
export function serverBackendName(serverPid: number): string {
  return `masonite-bench ${serverPid}`;
}

/**
 * Counts the SQL statements a server process sends, for its statements per request: every
 * `pg` client query (pg's pool.query goes through it too), each one round trip, since a query
 * waits for its own reply; or every statement better-sqlite3 runs in the process (a
 * transaction's BEGIN and COMMIT included), which are calls, not round trips.
 */
export function countStatements(client: "pg" | "sqlite", count: () => void): void {
  const prototype = client === "pg" ? ((require("pg") as typeof import("pg")).Client.prototype as unknown as Record<string, unknown>) : sqliteStatementPrototype();
  for (const method of client === "pg" ? ["query"] : ["run", "get", "all", "iterate"]) {
    const original = prototype[method] as (...args: unknown[]) => unknown;
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      count();
      return original.apply(this, args);
    };
  }
}

function sqliteStatementPrototype(): Record<string, unknown> {
  const Sqlite = require("better-sqlite3") as typeof import("better-sqlite3");
  const probe = new Sqlite(":memory:");
  try {
    return Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, unknown>;
  } finally {
    probe.close();
  }
}
