import type { SessionPatch } from "../../SessionStore";
import { appliedOrExplained, decodeFields, encodeFields, NUMBER_TEXT, type Expiry, type NewRow, type OwnedRow, type PatchOutcome, type ServerAddress, type SessionRow, type SqlDialect } from "./dialect";
import { loadClient } from "./client";

// The few parts of `mysql2` the dialect uses, declared here: the framework's source compiles in
// apps that never install mysql2.
interface PoolConnection {
  query(options: { sql: string; values: unknown[]; timeout: number }): Promise<[unknown, unknown]>;
  release(): void;
}
interface Pool {
  getConnection(): Promise<PoolConnection>;
  /** A new connection of the pool, before anyone queries it (a callback connection: its queries run in the order sent). */
  on(event: "connection", listener: (connection: { query(sql: string, done: (error: Error | null) => void): void; destroy(): void }) => void): void;
  end(): Promise<void>;
}
interface ResultSetHeader {
  affectedRows: number;
}
type RowDataPacket = Record<string, unknown>;
type Client = {
  createPool(options: ServerAddress & { connectionLimit: number; connectTimeout: number; multipleStatements: boolean; supportBigNumbers: boolean; bigNumberStrings: boolean }): Pool;
};

export interface MysqlOptions {
  connection: ServerAddress;
  table: string;
  pool: number;
  statementTimeout: number;
  where: string;
}

/** A JSON path naming one top-level key, whatever characters it holds. */
const path = (key: string) => `$.${JSON.stringify(key)}`;

/**
 * MySQL and MariaDB through `mysql2`: a patch is one UPDATE of JSON_SET/JSON_REMOVE over the
 * row as it is (the UPDATE holds the row's lock), refused in its WHERE when an incremented key
 * holds something other than a number. Neither server has UPDATE ... RETURNING, so a read is
 * two statements (slide the expiry, select the row) sent in one round trip.
 */
export class MysqlDialect implements SqlDialect {
  readonly name = "mysql";
  readonly where: string;
  #pool: Pool;
  #table: string;
  #timeout: number;

  constructor(options: MysqlOptions) {
    const mysql = loadClient<Client>("mysql2/promise", "mysql");
    this.where = options.where;
    this.#table = options.table;
    this.#timeout = options.statementTimeout;
    this.#pool = mysql.createPool({
      ...options.connection,
      connectionLimit: options.pool,
      connectTimeout: options.statementTimeout,
      multipleStatements: true,
      // BIGINT times as numbers: epoch milliseconds fit a double exactly.
      supportBigNumbers: true,
      bigNumberStrings: false,
    });
    // The server's own bound on each statement, as PostgreSQL's statement_timeout: without it a
    // statement waiting for a row lock goes on for innodb_lock_wait_timeout (50 s by default)
    // after its request answered 503, and a write would land when the lock is released.
    // max_statement_time is MariaDB's (run there only, from its executable comment); the lock
    // wait bound, in whole seconds, is both servers'. A connection that refuses them is dropped,
    // so none serves requests unbounded.
    const seconds = options.statementTimeout / 1000;
    const bounds = `SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(seconds))} /*M!, SESSION max_statement_time = ${seconds.toFixed(3)} */`;
    this.#pool.on("connection", (connection) => connection.query(bounds, (error) => error && connection.destroy()));
  }

  /**
   * One statement on a connection of the pool. mysql2 queues a caller while every connection is
   * busy, with no bound of its own: a statement whose request already answered 503 would still be
   * sent once a connection frees, and a write would land after its 503. It is sent only while its
   * request still waits for it.
   */
  async #query<T>(sql: string, values: unknown[]): Promise<T> {
    const deadline = performance.now() + this.#timeout;
    const connection = await this.#pool.getConnection();
    try {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`every connection of the pool was busy for ${this.#timeout} ms; the statement was not sent.`);
      const [result] = await connection.query({ sql, values, timeout: Math.ceil(left) });
      return result as T;
    } finally {
      connection.release();
    }
  }

  async connect(): Promise<void> {
    await this.#query("SELECT 1", []);
  }

  async columns(): Promise<string[]> {
    const rows = await this.#query<RowDataPacket[]>("SELECT lower(column_name) AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?", [this.#table]);
    return rows.map((row) => String(row.name));
  }

  async read(id: string, { now, until, slideBefore }: Expiry): Promise<SessionRow | undefined> {
    const t = this.#table;
    const [, rows] = await this.#query<[ResultSetHeader, RowDataPacket[]]>(`UPDATE ${t} SET expires_at = ? WHERE id = ? AND expires_at > ? AND expires_at < ?; SELECT data, created_at FROM ${t} WHERE id = ? AND expires_at > ?`, [
      until,
      id,
      now,
      slideBefore,
      id,
      now,
    ]);
    const data = rows[0] && decodeFields(rows[0].data);
    return data && { data, createdAt: Number(rows[0]!.created_at) };
  }

  async write(row: NewRow, existing: boolean, now: number): Promise<boolean> {
    const t = this.#table;
    if (existing) {
      const result = await this.#query<ResultSetHeader>(`UPDATE ${t} SET sealed_id = ?, data = ?, created_at = ?, expires_at = ?, owner = COALESCE(?, owner) WHERE id = ? AND expires_at > ?`, [row.sealedId, encodeFields(Object.entries(row.data)), row.createdAt, row.expiresAt, row.owner, row.id, now]);
      return result.affectedRows === 1;
    }
    await this.#query(
      `INSERT INTO ${t} (id, sealed_id, data, created_at, expires_at, owner) VALUES (?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE sealed_id = VALUES(sealed_id), data = VALUES(data), created_at = VALUES(created_at), expires_at = VALUES(expires_at), owner = COALESCE(VALUES(owner), owner)`,
      [row.id, row.sealedId, encodeFields(Object.entries(row.data)), row.createdAt, row.expiresAt, row.owner],
    );
    return true;
  }

  async patch(id: string, patch: SessionPatch, { now, until, slideBefore }: Expiry, owner: string | null): Promise<PatchOutcome> {
    const setValues: unknown[] = [];
    let data = "data";
    if (patch.increments.size > 0) {
      data = `JSON_SET(${data}, ${[...patch.increments].map(() => "?, CAST(COALESCE(JSON_UNQUOTE(JSON_EXTRACT(data, ?)), '0') + ? AS CHAR)").join(", ")})`;
      for (const [key, by] of patch.increments) setValues.push(path(key), path(key), by);
    }
    if (patch.deleted.size > 0) {
      data = `JSON_REMOVE(${data}, ${[...patch.deleted].map(() => "?").join(", ")})`;
      setValues.push(...[...patch.deleted].map(path));
    }
    if (patch.set.size > 0) {
      data = `JSON_SET(${data}, ${[...patch.set].map(() => "?, ?").join(", ")})`;
      for (const [key, value] of patch.set) setValues.push(path(key), JSON.stringify(value));
    }
    const numbers = [...patch.increments.keys()].map(() => " AND (JSON_EXTRACT(data, ?) IS NULL OR JSON_UNQUOTE(JSON_EXTRACT(data, ?)) REGEXP ?)").join("");
    const sql = `UPDATE ${this.#table} SET data = ${data}, expires_at = IF(expires_at < ?, ?, expires_at), owner = COALESCE(?, owner) WHERE id = ? AND expires_at > ?${numbers}`;
    const values = [...setValues, slideBefore, until, owner, id, now, ...[...patch.increments.keys()].flatMap((key) => [path(key), path(key), NUMBER_TEXT])];
    return appliedOrExplained(
      async () => (await this.#query<ResultSetHeader>(sql, values)).affectedRows === 1,
      async () => {
        const [row] = await this.#query<RowDataPacket[]>(`SELECT data FROM ${this.#table} WHERE id = ? AND expires_at > ?`, [id, now]);
        return row && decodeFields(row.data);
      },
      patch.increments,
    );
  }

  async destroy(id: string): Promise<boolean> {
    const result = await this.#query<ResultSetHeader>(`DELETE FROM ${this.#table} WHERE id = ?`, [id]);
    return result.affectedRows === 1;
  }

  async listOwner(owner: string, now: number): Promise<OwnedRow[]> {
    const rows = await this.#query<RowDataPacket[]>(`SELECT id, sealed_id, data, created_at, expires_at FROM ${this.#table} WHERE owner = ? AND expires_at > ?`, [owner, now]);
    return rows.map((row) => ({ id: String(row.id), sealedId: String(row.sealed_id), data: decodeFields(row.data) ?? {}, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) }));
  }

  async unindex(ids: string[]): Promise<void> {
    await this.#query(`UPDATE ${this.#table} SET owner = NULL WHERE id IN (?)`, [ids]);
  }

  async sweep(now: number, limit: number): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE expires_at <= ? LIMIT ?`, [now, limit]);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
