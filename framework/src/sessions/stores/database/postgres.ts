import type { SessionPatch } from "../../SessionStore";
import { decodeFields, encodeFields, NUMBER_TEXT, type NewRow, type OwnedRow, type PatchOutcome, type ServerAddress, type SessionRow, type SqlDialect } from "./dialect";
import { loadClient } from "./client";

// The few parts of `pg` the dialect uses, declared here: the framework's source compiles in apps
// that never install pg.
interface PoolClient {
  query<Row>(sql: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  /** Back to the pool; with an error, the connection is closed instead. */
  release(error?: Error): void;
}
interface Pool {
  connect(): Promise<PoolClient>;
  on(event: "error", listener: (error: Error) => void): void;
  end(): Promise<void>;
}
type Client = { Pool: new (config: ServerAddress & { max: number; statement_timeout: number; connectionTimeoutMillis: number }) => Pool };

export interface PostgresOptions {
  connection: ServerAddress;
  table: string;
  pool: number;
  statementTimeout: number;
  where: string;
}

/** Only a field holding a JSON number takes an increment. */
const NUMBER = `'${NUMBER_TEXT}'`;

/**
 * PostgreSQL through `pg`: jsonb operators apply a patch inside one UPDATE, which takes the
 * row's lock and sees its latest version, so concurrent patches of one session each apply to
 * what the one before left. The server ends any statement past `statementTimeout` itself.
 */
export class PostgresDialect implements SqlDialect {
  readonly name = "postgres";
  readonly where: string;
  #pool: Pool;
  #table: string;
  #timeout: number;

  constructor(options: PostgresOptions) {
    const { Pool } = loadClient<Client>("pg", "postgres");
    this.where = options.where;
    this.#table = options.table;
    this.#timeout = options.statementTimeout;
    this.#pool = new Pool({
      ...options.connection,
      max: options.pool,
      statement_timeout: options.statementTimeout,
      connectionTimeoutMillis: options.statementTimeout,
    });
    // An idle connection the server dropped: the pool replaces it; the next query reports any lasting fault.
    this.#pool.on("error", () => {});
  }

  /**
   * One statement on a connection of the pool, sent only while its request still waits for it: a
   * caller that got a connection the moment its wait ran out (connectionTimeoutMillis, the same
   * bound) sends nothing, so a request that answered 503 writes nothing later. A statement that
   * failed closes its connection, as pg's own pool.query does.
   */
  async #query<Row = unknown>(sql: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }> {
    const deadline = performance.now() + this.#timeout;
    const client = await this.#pool.connect();
    if (performance.now() >= deadline) {
      client.release();
      throw new Error(`every connection of the pool was busy for ${this.#timeout} ms; the statement was not sent.`);
    }
    try {
      const result = await client.query<Row>(sql, values);
      client.release();
      return result;
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  async connect(): Promise<void> {
    await this.#query("SELECT 1");
  }

  async columns(): Promise<string[]> {
    const { rows } = await this.#query<{ name: string }>("SELECT lower(column_name) AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", [this.#table]);
    return rows.map((row) => row.name);
  }

  async read(id: string, now: number, expiresAt: number): Promise<SessionRow | undefined> {
    const { rows } = await this.#query<{ data: unknown; created_at: string }>(`UPDATE ${this.#table} SET expires_at = $3 WHERE id = $1 AND expires_at > $2 RETURNING data, created_at`, [id, now, expiresAt]);
    const data = rows[0] && decodeFields(rows[0].data);
    return data && { data, createdAt: Number(rows[0]!.created_at) };
  }

  async write(row: NewRow, existing: boolean, now: number): Promise<boolean> {
    const t = this.#table;
    const values = [row.id, row.sealedId, encodeFields(Object.entries(row.data)), row.createdAt, row.expiresAt, row.owner];
    if (existing) {
      const { rowCount } = await this.#query(`UPDATE ${t} SET sealed_id = $2, data = $3::jsonb, created_at = $4, expires_at = $5, owner = COALESCE($6, owner) WHERE id = $1 AND expires_at > $7`, [...values, now]);
      return rowCount === 1;
    }
    await this.#query(
      `INSERT INTO ${t} (id, sealed_id, data, created_at, expires_at, owner) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET sealed_id = EXCLUDED.sealed_id, data = EXCLUDED.data, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, owner = COALESCE(EXCLUDED.owner, ${t}.owner)`,
      values,
    );
    return true;
  }

  /**
   * One UPDATE, built for the patch's shape: it takes the row's lock and, when a patch in flight
   * holds it, waits and then sees that patch's result (PostgreSQL checks the WHERE again on the
   * row's latest version), so concurrent patches of one session each apply to what the one
   * before left. An incremented key holding something other than a number leaves the row as it
   * was and comes back as `refused` (checked again on the row as left, which then still holds it).
   */
  async patch(id: string, patch: SessionPatch, now: number, expiresAt: number, owner: string | null): Promise<PatchOutcome> {
    const values: unknown[] = [id, now, expiresAt, owner];
    const param = (value: unknown) => `$${values.push(value)}`;
    let data = "data";
    let refused = "NULL";
    if (patch.increments.size > 0) {
      const sums: string[] = [];
      const checks: string[] = [];
      for (const [key, delta] of patch.increments) {
        const at = `${param(key)}::text`;
        sums.push(`${at}, (COALESCE((data ->> ${at})::numeric, 0) + ${param(JSON.stringify(delta))}::numeric)::text`);
        checks.push(`WHEN data ? ${at} AND NOT (data ->> ${at} ~ ${NUMBER}) THEN ${at}`);
      }
      data = `(data || jsonb_build_object(${sums.join(", ")}))`;
      refused = `CASE ${checks.join(" ")} END`;
    }
    if (patch.deleted.size > 0) data = `(${data} - ${param([...patch.deleted])}::text[])`;
    if (patch.set.size > 0) data = `(${data} || ${param(encodeFields(patch.set))}::jsonb)`;
    const applies = (changed: string, kept: string) => (refused === "NULL" ? changed : `CASE WHEN ${refused} IS NULL THEN ${changed} ELSE ${kept} END`);
    const { rows } = await this.#query<{ refused: string | null }>(
      `UPDATE ${this.#table} SET data = ${applies(data, "data")}, expires_at = $3, owner = ${applies("COALESCE($4, owner)", "owner")}
       WHERE id = $1 AND expires_at > $2 RETURNING ${refused} AS refused`,
      values,
    );
    if (rows.length === 0) return false;
    return rows[0]!.refused !== null ? { conflict: rows[0]!.refused } : true;
  }

  async destroy(id: string): Promise<boolean> {
    const { rowCount } = await this.#query(`DELETE FROM ${this.#table} WHERE id = $1`, [id]);
    return rowCount === 1;
  }

  async listOwner(owner: string, now: number): Promise<OwnedRow[]> {
    const { rows } = await this.#query<{ id: string; sealed_id: string; data: unknown; created_at: string; expires_at: string }>(
      `SELECT id, sealed_id, data, created_at, expires_at FROM ${this.#table} WHERE owner = $1 AND expires_at > $2`,
      [owner, now],
    );
    return rows.map((row) => ({ id: row.id, sealedId: row.sealed_id, data: decodeFields(row.data) ?? {}, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) }));
  }

  async unindex(ids: string[]): Promise<void> {
    await this.#query(`UPDATE ${this.#table} SET owner = NULL WHERE id = ANY($1)`, [ids]);
  }

  async sweep(now: number, limit: number): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE id IN (SELECT id FROM ${this.#table} WHERE expires_at <= $1 LIMIT $2)`, [now, limit]);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
