import type { SessionPatch } from "../../SessionStore";
import { sessionData, type NewRow, type OwnedRow, type PatchOutcome, type SessionRow, type SqlDialect } from "./dialect";
import { applyPatch } from "../patch";
import { loadClient } from "./client";

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

export interface SqliteOptions {
  /** The database file's absolute path. */
  file: string;
  table: string;
  /** Milliseconds a statement waits for another process's write lock (busy_timeout). */
  statementTimeout: number;
}

/**
 * SQLite through `better-sqlite3`: one file, for one machine (its processes share it in WAL
 * mode). Statements run synchronously in the process, each atomic. A patch is one immediate
 * transaction, which holds the file's write lock while it applies the request's key-level
 * changes to the row as it is (patch.ts, as the file and memory stores do): SQLite writes one
 * transaction at a time anyway, and JSON1's paths cannot name every key a session may hold.
 */
export class SqliteDialect implements SqlDialect {
  readonly name = "sqlite";
  readonly where: string;
  #options: SqliteOptions;
  #db: Database | undefined;

  constructor(options: SqliteOptions) {
    loadClient("better-sqlite3", "sqlite");
    this.#options = options;
    this.where = `SQLite at ${options.file}`;
  }

  get #open(): Database {
    if (!this.#db) throw new Error("the SQLite database is closed.");
    return this.#db;
  }

  async connect(): Promise<void> {
    const Sqlite = loadClient<Client>("better-sqlite3", "sqlite");
    this.#db = new Sqlite(this.#options.file, { timeout: this.#options.statementTimeout });
    this.#db.pragma("journal_mode = WAL");
  }

  async columns(): Promise<string[]> {
    return (this.#open.pragma(`table_info(${this.#options.table})`) as { name: string }[]).map((column) => column.name.toLowerCase());
  }

  async read(id: string, now: number, expiresAt: number): Promise<SessionRow | undefined> {
    const row = this.#open.prepare(`UPDATE ${this.#options.table} SET expires_at = ? WHERE id = ? AND expires_at > ? RETURNING data, created_at`).get(expiresAt, id, now) as { data: string; created_at: number } | undefined;
    const data = row && sessionData(row.data);
    return data && { data, createdAt: row!.created_at };
  }

  async write(row: NewRow, existing: boolean, now: number): Promise<boolean> {
    const t = this.#options.table;
    if (existing) {
      return this.#open.prepare(`UPDATE ${t} SET sealed_id = ?, data = ?, created_at = ?, expires_at = ?, owner = COALESCE(?, owner) WHERE id = ? AND expires_at > ?`).run(row.sealedId, row.json, row.createdAt, row.expiresAt, row.owner, row.id, now).changes === 1;
    }
    this.#open
      .prepare(
        `INSERT INTO ${t} (id, sealed_id, data, created_at, expires_at, owner) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET sealed_id = excluded.sealed_id, data = excluded.data, created_at = excluded.created_at, expires_at = excluded.expires_at, owner = COALESCE(excluded.owner, owner)`,
      )
      .run(row.id, row.sealedId, row.json, row.createdAt, row.expiresAt, row.owner);
    return true;
  }

  async patch(id: string, patch: SessionPatch, now: number, expiresAt: number, owner: string | null): Promise<PatchOutcome> {
    const db = this.#open;
    const t = this.#options.table;
    const apply = db.transaction((): PatchOutcome => {
      const row = db.prepare(`SELECT data FROM ${t} WHERE id = ? AND expires_at > ?`).get(id, now) as { data: string } | undefined;
      const data = row && sessionData(row.data);
      if (!data) return false;
      // A key that holds no number throws SessionConflict here, which rolls the transaction back.
      applyPatch(data, patch);
      db.prepare(`UPDATE ${t} SET data = ?, expires_at = ?, owner = COALESCE(?, owner) WHERE id = ?`).run(JSON.stringify(data), expiresAt, owner, id);
      return true;
    });
    return apply.immediate();
  }

  async destroy(id: string): Promise<boolean> {
    return this.#open.prepare(`DELETE FROM ${this.#options.table} WHERE id = ?`).run(id).changes === 1;
  }

  async listOwner(owner: string, now: number): Promise<OwnedRow[]> {
    const rows = this.#open.prepare(`SELECT id, sealed_id, data, created_at, expires_at FROM ${this.#options.table} WHERE owner = ? AND expires_at > ?`).all(owner, now) as { id: string; sealed_id: string; data: string; created_at: number; expires_at: number }[];
    return rows.map((row) => ({ id: row.id, sealedId: row.sealed_id, data: sessionData(row.data) ?? {}, createdAt: row.created_at, expiresAt: row.expires_at }));
  }

  async unindex(ids: string[]): Promise<void> {
    this.#open.prepare(`UPDATE ${this.#options.table} SET owner = NULL WHERE id IN (${ids.map(() => "?").join(", ")})`).run(...ids);
  }

  async sweep(now: number, limit: number): Promise<void> {
    const t = this.#options.table;
    this.#open.prepare(`DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE expires_at <= ? LIMIT ?)`).run(now, limit);
  }

  async close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
  }
}
