import type { SessionPatch } from "../../SessionStore";
import { appliedOrExplained, decodeFields, encodeFields, NUMBER_TEXT, type Expiry, type NewRow, type OwnedRow, type PatchOutcome, type ServerAddress, type SessionRow, type SqlDialect } from "./dialect";
import { loadClient } from "./client";

// The few parts of `pg` the dialect uses, declared here: the framework's source compiles in apps
// that never install pg.
interface Result<Row> {
  rows: Row[];
  rowCount: number | null;
}
interface PoolClient {
  query<Row>(sql: string, values: unknown[] | undefined, callback: (error: Error | null, result: Result<Row>) => void): void;
  /** Back to the pool; with an error, the connection is closed instead. */
  release(error?: Error): void;
}
interface Pool {
  connect(callback: (error: Error | undefined, client: PoolClient) => void): void;
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
  #query<Row = unknown>(sql: string, values?: unknown[]): Promise<Result<Row>> {
    const deadline = performance.now() + this.#timeout;
    // pg's callbacks rather than its promises: one promise per statement, not one per step.
    return new Promise((resolve, reject) => {
      this.#pool.connect((failure, client) => {
        if (failure) return reject(failure);
        if (performance.now() >= deadline) {
          client.release();
          return reject(new Error(`every connection of the pool was busy for ${this.#timeout} ms; the statement was not sent.`));
        }
        client.query<Row>(sql, values, (error, result) => {
          if (error) {
            client.release(error);
            return reject(error);
          }
          client.release();
          resolve(result);
        });
      });
    });
  }

  async connect(): Promise<void> {
    await this.#query("SELECT 1");
  }

  async columns(): Promise<string[]> {
    const { rows } = await this.#query<{ name: string }>("SELECT lower(column_name) AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1", [this.#table]);
    return rows.map((row) => row.name);
  }

  /**
   * One SELECT, which writes nothing and waits for no lock a patch in flight holds; a second
   * statement slides the expiry only when it is due (once a minute of a session's use at most).
   * A statement that both reads and may write (an UPDATE in a WITH) costs the server a seventh
   * more on every read than the rare second round trip does.
   */
  async read(id: string, { now, until, slideBefore }: Expiry): Promise<SessionRow | undefined> {
    const t = this.#table;
    const { rows } = await this.#query<{ data: unknown; created_at: string; due: boolean }>(`SELECT data, created_at, expires_at < $3 AS due FROM ${t} WHERE id = $1 AND expires_at > $2`, [id, now, slideBefore]);
    const data = rows[0] && decodeFields(rows[0].data);
    if (!data) return undefined;
    if (rows[0]!.due) await this.#query(`UPDATE ${t} SET expires_at = $3 WHERE id = $1 AND expires_at > $2 AND expires_at < $4`, [id, now, until, slideBefore]);
    return { data, createdAt: Number(rows[0]!.created_at) };
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
   * before left. An incremented key holding something other than a number matches no row, as an
   * ended session does; the rare second statement tells them apart.
   */
  async patch(id: string, patch: SessionPatch, { now, until, slideBefore }: Expiry, owner: string | null): Promise<PatchOutcome> {
    const values: unknown[] = [id, now, until, owner, slideBefore];
    const param = (value: unknown) => `$${values.push(value)}`;
    let data = "data";
    let numbers = "";
    if (patch.increments.size > 0) {
      const sums: string[] = [];
      for (const [key, delta] of patch.increments) {
        const at = `${param(key)}::text`;
        sums.push(`${at}, (COALESCE((data ->> ${at})::numeric, 0) + ${param(JSON.stringify(delta))}::numeric)::text`);
        numbers += ` AND (NOT (data ? ${at}) OR data ->> ${at} ~ ${NUMBER})`;
      }
      data = `(data || jsonb_build_object(${sums.join(", ")}))`;
    }
    if (patch.deleted.size > 0) data = `(${data} - ${param([...patch.deleted])}::text[])`;
    if (patch.set.size > 0) data = `(${data} || ${param(encodeFields(patch.set))}::jsonb)`;
    const t = this.#table;
    const sql = `UPDATE ${t} SET data = ${data}, expires_at = CASE WHEN expires_at < $5 THEN $3 ELSE expires_at END, owner = COALESCE($4, owner) WHERE id = $1 AND expires_at > $2${numbers}`;
    return appliedOrExplained(
      async () => (await this.#query(sql, values)).rowCount === 1,
      async () => {
        const { rows } = await this.#query<{ data: unknown }>(`SELECT data FROM ${t} WHERE id = $1 AND expires_at > $2`, [id, now]);
        return rows[0] && decodeFields(rows[0].data);
      },
      patch.increments,
    );
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
