import { ConfigurationError } from "../../../core/errors";
import type { SessionPatch } from "../../SessionStore";
import { sessionData, type Expiry, type NewRow, type OwnedRow, type PatchOutcome, type SessionRow, type SqlDialect } from "./dialect";
import { applyPatch } from "../patch";
import { loadClient } from "./client";
import type { StopSignal } from "../deadlines";

// The few parts of `better-sqlite3` the dialect uses, declared here: the framework's source
// compiles in apps that never install it.
interface Statement {
  get(...values: unknown[]): unknown;
  all(...values: unknown[]): unknown[];
  run(...values: unknown[]): { changes: number };
}
interface Database {
  pragma(source: string): unknown;
  prepare(sql: string): Statement;
  transaction<T>(body: () => T): { immediate(): T };
  close(): void;
}
type Client = new (file: string, options: { timeout: number }) => Database;

/** Milliseconds between tries while another connection holds the write lock: short at first, then at most every 50 ms. */
const BUSY_WAITS = [2, 5, 10, 20, 50];

export interface SqliteOptions {
  /** The database file's absolute path. */
  file: string;
  table: string;
  /** Milliseconds a statement keeps trying while another connection holds the write lock. */
  statementTimeout: number;
}

/**
 * SQLite through `better-sqlite3`: one file, for one machine (its processes share it in WAL
 * mode). Statements run synchronously in the process, each atomic. A patch is one immediate
 * transaction, which holds the file's write lock while it applies the request's key-level
 * changes to the row as it is (patch.ts, as the file and memory stores do): SQLite writes one
 * transaction at a time anyway, and JSON1's paths cannot name every key a session may hold.
 *
 * SQLite's own busy wait (busy_timeout) would sleep inside the statement, and with it the whole
 * process: every other request, one after another, each for up to the timeout. So the
 * connection has none, and a statement that finds the file locked is tried again between
 * timers until `statementTimeout` has passed, then fails with SQLite's "database is locked";
 * it is never tried once its caller's signal says the request gave up.
 */
export class SqliteDialect implements SqlDialect {
  readonly name = "sqlite";
  readonly where: string;
  #options: SqliteOptions;
  #Sqlite: Client;
  #db: Database | undefined;

  constructor(options: SqliteOptions) {
    this.#Sqlite = loadClient<Client>("better-sqlite3", "sqlite");
    this.#options = options;
    this.where = `SQLite at ${options.file}`;
    // better-sqlite3 loads its compiled part at the first open: a build for another Node, or
    // none at all, would otherwise pass for a database that cannot be reached.
    try {
      new this.#Sqlite(":memory:", { timeout: 0 }).close();
    } catch (error) {
      throw new ConfigurationError(
        "E_SESSION_CLIENT_BROKEN",
        `The database session driver's SQLite client "better-sqlite3" is installed, but its compiled part does not load in this Node ${process.version} (${(error as Error).message.split("\n")[0]!.replace(/[.\s]+$/, "")}): rebuild it with "npm rebuild better-sqlite3" (it needs a C++ toolchain when no prebuilt binary fits), or pick another DATABASE_URL (DRIVERS.database in config/session.ts).`,
        error,
      );
    }
  }

  get #open(): Database {
    if (!this.#db) throw new Error("the SQLite database is closed.");
    return this.#db;
  }

  /** The statements of fixed text, each compiled once per open database rather than on every call. */
  #statements = new Map<string, Statement>();

  #prepared(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, (statement = this.#open.prepare(sql)));
    return statement;
  }

  async connect(): Promise<void> {
    const db = new this.#Sqlite(this.#options.file, { timeout: 0 });
    try {
      await this.#whenFree(() => db.pragma("journal_mode = WAL"));
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
  }

  /**
   * `statement` (synchronous, atomic), tried again while SQLite answers that another
   * connection holds the lock, until the statement timeout or the caller's `signal`.
   */
  async #whenFree<T>(statement: () => T, signal?: StopSignal): Promise<T> {
    const deadline = performance.now() + this.#options.statementTimeout;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new Error("the request stopped waiting; the statement was not run.");
      try {
        return statement();
      } catch (error) {
        const wait = BUSY_WAITS[Math.min(attempt, BUSY_WAITS.length - 1)]!;
        if (!String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY") || performance.now() + wait >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async columns(signal?: StopSignal): Promise<string[]> {
    const columns = await this.#whenFree(() => this.#open.pragma(`table_info(${this.#options.table})`) as { name: string }[], signal);
    return columns.map((column) => column.name.toLowerCase());
  }

  /** The row, and its expiry slid when it is due: only then does a read take the file's write lock. */
  async read(id: string, { now, until, slideBefore }: Expiry, signal?: StopSignal): Promise<SessionRow | undefined> {
    const t = this.#options.table;
    const row = (await this.#whenFree(() => this.#prepared(`SELECT data, created_at, expires_at FROM ${t} WHERE id = ? AND expires_at > ?`).get(id, now), signal)) as
      | { data: string; created_at: number; expires_at: number }
      | undefined;
    const data = row && sessionData(row.data);
    if (!data) return undefined;
    if (row!.expires_at < slideBefore) await this.#whenFree(() => this.#prepared(`UPDATE ${t} SET expires_at = ? WHERE id = ? AND expires_at > ?`).run(until, id, now), signal);
    return { data, createdAt: row!.created_at };
  }

  async write(row: NewRow, existing: boolean, now: number, signal?: StopSignal): Promise<boolean> {
    const t = this.#options.table;
    if (existing) {
      const { changes } = await this.#whenFree(
        () => this.#prepared(`UPDATE ${t} SET sealed_id = ?, data = ?, created_at = ?, expires_at = ?, owner = COALESCE(?, owner) WHERE id = ? AND expires_at > ?`).run(row.sealedId, row.json, row.createdAt, row.expiresAt, row.owner, row.id, now),
        signal,
      );
      return changes === 1;
    }
    await this.#whenFree(
      () =>
        this.#prepared(
          `INSERT INTO ${t} (id, sealed_id, data, created_at, expires_at, owner) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET sealed_id = excluded.sealed_id, data = excluded.data, created_at = excluded.created_at, expires_at = excluded.expires_at, owner = COALESCE(excluded.owner, owner)`,
        ).run(row.id, row.sealedId, row.json, row.createdAt, row.expiresAt, row.owner),
      signal,
    );
    return true;
  }

  async patch(id: string, patch: SessionPatch, { now, until, slideBefore }: Expiry, owner: string | null, signal?: StopSignal): Promise<PatchOutcome> {
    const db = this.#open;
    const t = this.#options.table;
    const apply = db.transaction((): PatchOutcome => {
      const row = this.#prepared(`SELECT data, expires_at FROM ${t} WHERE id = ? AND expires_at > ?`).get(id, now) as { data: string; expires_at: number } | undefined;
      const data = row && sessionData(row.data);
      if (!data) return false;
      // A key that holds no number throws SessionConflict here, which rolls the transaction back.
      applyPatch(data, patch);
      this.#prepared(`UPDATE ${t} SET data = ?, expires_at = ?, owner = COALESCE(?, owner) WHERE id = ?`).run(JSON.stringify(data), row!.expires_at < slideBefore ? until : row!.expires_at, owner, id);
      return true;
    });
    return this.#whenFree(() => apply.immediate(), signal);
  }

  async destroy(id: string, signal?: StopSignal): Promise<boolean> {
    const { changes } = await this.#whenFree(() => this.#prepared(`DELETE FROM ${this.#options.table} WHERE id = ?`).run(id), signal);
    return changes === 1;
  }

  async listOwner(owner: string, now: number, signal?: StopSignal): Promise<OwnedRow[]> {
    const rows = (await this.#whenFree(() => this.#prepared(`SELECT id, sealed_id, data, created_at, expires_at FROM ${this.#options.table} WHERE owner = ? AND expires_at > ?`).all(owner, now), signal)) as {
      id: string;
      sealed_id: string;
      data: string;
      created_at: number;
      expires_at: number;
    }[];
    return rows.map((row) => ({ id: row.id, sealedId: row.sealed_id, data: sessionData(row.data) ?? {}, createdAt: row.created_at, expiresAt: row.expires_at }));
  }

  async unindex(ids: string[], signal?: StopSignal): Promise<void> {
    await this.#whenFree(() => this.#open.prepare(`UPDATE ${this.#options.table} SET owner = NULL WHERE id IN (${ids.map(() => "?").join(", ")})`).run(...ids), signal);
  }

  async sweep(now: number, limit: number, signal?: StopSignal): Promise<void> {
    const t = this.#options.table;
    await this.#whenFree(() => this.#prepared(`DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE expires_at <= ? LIMIT ?)`).run(now, limit), signal);
  }

  async close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    this.#statements.clear();
  }
}
