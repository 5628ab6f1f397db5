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
  query<Row>(query: string | { name: string; text: string }, values: unknown[] | undefined, callback: (error: Error | null, result: Result<Row>) => void): void;
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

/**
 * How many patch shapes (counts of keys incremented, deleted and set) get a named statement, which
 * each connection parses and plans once: the few a typical app has. A rarer shape is sent unnamed.
 */
const NAMED_PATCH_SHAPES = 32;

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
  /** Each patch shape's statement, by `<increments>_<deleted>_<set>`. */
  #patches = new Map<string, { name: string | undefined; sql: string }>();

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
  #query<Row = unknown>(sql: string, values?: unknown[], name?: string): Promise<Result<Row>> {
    const deadline = performance.now() + this.#timeout;
    // pg's callbacks rather than its promises: one promise per statement, not one per step.
    return new Promise((resolve, reject) => {
      this.#pool.connect((failure, client) => {
        if (failure) return reject(failure);
        if (performance.now() >= deadline) {
          client.release();
          return reject(new Error(`every connection of the pool was busy for ${this.#timeout} ms; the statement was not sent.`));
        }
        client.query<Row>(name ? { name, text: sql } : sql, values, (error, result) => {
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
    const { rows } = await this.#query<{ data: unknown; created_at: string; due: boolean }>(`SELECT data, created_at, expires_at < $3 AS due FROM ${t} WHERE id = $1 AND expires_at > $2`, [id, now, slideBefore], "masonite_session_read");
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
    const { increments, deleted, set } = patch;
    const values: unknown[] = [id, now, until, owner, slideBefore];
    for (const [key, delta] of increments) values.push(key, JSON.stringify(delta));
    if (deleted.size > 0) values.push([...deleted]);
    if (set.size > 0) values.push(encodeFields(set));
    const shape = `${increments.size}_${deleted.size}_${set.size}`;
    let statement = this.#patches.get(shape);
    if (!statement) {
      const sql = this.#patchSql(increments.size, deleted.size, set.size);
      if (this.#patches.size >= NAMED_PATCH_SHAPES) statement = { name: undefined, sql };
      else this.#patches.set(shape, (statement = { name: `masonite_session_patch_${shape}`, sql }));
    }
    const { name, sql } = statement;
    const t = this.#table;
    return appliedOrExplained(
      async () => (await this.#query(sql, values, name)).rowCount === 1,
      async () => {
        const { rows } = await this.#query<{ data: unknown }>(`SELECT data FROM ${t} WHERE id = $1 AND expires_at > $2`, [id, now]);
        return rows[0] && decodeFields(rows[0].data);
      },
      increments,
    );
  }

  /** A patch's UPDATE for its shape; its parameters after the first five are each increment's key and amount, the deleted keys, the set fields. */
  #patchSql(increments: number, deleted: number, set: number): string {
    let n = 5;
    let data = "data";
    let numbers = "";
    if (increments > 0) {
      const sums: string[] = [];
      for (let i = 0; i < increments; i++) {
        const at = `$${++n}::text`;
        sums.push(`${at}, (COALESCE((data ->> ${at})::numeric, 0) + $${++n}::numeric)::text`);
        numbers += ` AND (NOT (data ? ${at}) OR data ->> ${at} ~ ${NUMBER})`;
      }
      data = `(data || jsonb_build_object(${sums.join(", ")}))`;
    }
    if (deleted > 0) data = `(${data} - $${++n}::text[])`;
    if (set > 0) data = `(${data} || $${++n}::jsonb)`;
    return `UPDATE ${this.#table} SET data = ${data}, expires_at = CASE WHEN expires_at < $5 THEN $3 ELSE expires_at END, owner = COALESCE($4, owner) WHERE id = $1 AND expires_at > $2${numbers}`;
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
