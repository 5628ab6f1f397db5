import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { ConfigurationError, FrameworkError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { SessionConflict, SessionStoreUnavailable } from "../errors";
import type { OwnedSession, SessionPatch, SessionRecord, SessionStore, StoredData, WriteOptions, WriteRecord } from "../SessionStore";
import type { Expiry, NewRow, PatchOutcome, SqlDialect } from "./database/dialect";
import { Deadlines, type StopSignal } from "./deadlines";
import { SESSION_COLUMNS } from "./database/schema";

export interface DatabaseStoreOptions {
  dialect: SqlDialect;
  table: string;
  /** Derived from APP_KEY: keys the id's and owner's HMACs. */
  hashKey: Buffer;
  /** Derived from APP_KEY: seals the id for listing an owner's sessions. */
  sealKey: Buffer;
  /** Milliseconds a request waits for the database (pool included) before it answers 503. */
  statementTimeout: number;
  logger: Logger;
}

const SWEEP_EVERY_MS = 60_000;
const SWEEP_LIMIT = 1000;
/** How far a row's idle expiry may lag behind its last request: a minute, or a hundredth of a shorter idle timeout. */
const SLIDE_STEP_MS = 60_000;

/** The expiry of a request at this moment, for an idle timeout of `ttl` seconds. */
function expiry(ttl: number): Expiry {
  const now = Date.now();
  const until = now + ttl * 1000;
  return { now, until, slideBefore: until - Math.min(SLIDE_STEP_MS, ttl * 10) };
}

/**
 * One row per session in a SQL table (PostgreSQL, MySQL/MariaDB, SQLite), keyed by an HMAC of
 * the id under a key derived from APP_KEY: a dump or backup of the table hands out no session a
 * client could present. The id itself is kept only sealed (AES-256-GCM, another derived key),
 * so an owner's sessions can be listed and revoked; the owner column is an HMAC too.
 *
 * Reading is one statement that answers the row only while it has not expired and slides its
 * expiry (to within a minute: see Expiry); a patch is one statement that applies the request's
 * key-level changes to the row as it is (jsonb operators, JSON_SET/JSON_REMOVE; on SQLite one
 * immediate transaction), only while it is live, so concurrent requests of one user lose nothing
 * and a destroyed session stays destroyed. Expired rows are never read, and a sweep deletes a
 * bounded batch of them once a minute. Every call is bounded by `statementTimeout`, past which
 * the request answers 503 and the dialect's signal tells it not to run the statement any more.
 */
export class DatabaseStore implements SessionStore {
  readonly dialect: SqlDialect;
  #options: DatabaseStoreOptions;
  #deadlines: Deadlines;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: DatabaseStoreOptions) {
    this.#options = options;
    this.dialect = options.dialect;
    this.#deadlines = new Deadlines(options.statementTimeout);
  }

  /** Connects, and refuses a missing table or one without the store's columns, naming the command that makes it. */
  async connect(): Promise<void> {
    const { dialect, table } = this.#options;
    let columns: string[];
    try {
      await this.#deadlines.run(() => dialect.connect());
      columns = await this.#deadlines.run((signal) => dialect.columns(signal));
    } catch (error) {
      await dialect.close().catch(() => {});
      throw new FrameworkError(
        "E_SESSION_STORE_UNREACHABLE",
        `The database session driver cannot reach ${dialect.where}: ${(error as Error).message.replace(/[.\s]+$/, "")}. Start the database, fix DATABASE_URL (DRIVERS.database in config/session.ts), or use SESSION_DRIVER=cookie.`,
        { cause: error },
      );
    }
    const missing = SESSION_COLUMNS.filter((column) => !columns.includes(column));
    if (missing.length > 0) {
      await dialect.close().catch(() => {});
      const what = columns.length === 0 ? `has no table "${table}"` : `has a table "${table}" without the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`;
      throw new ConfigurationError(
        "E_SESSION_TABLE",
        `The database session driver's database (${dialect.where}) ${what}: create it with the statements "craft session:table" prints (or add them to your migrations), or name another table in DRIVERS.database.table in config/session.ts.`,
      );
    }
    this.#sweeper = setInterval(() => void this.#sweep(), SWEEP_EVERY_MS).unref();
  }

  read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const slide = expiry(ttl);
    return this.#run((signal) => this.dialect.read(this.#hash(id), slide, signal));
  }

  async write(id: string, record: WriteRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<boolean> {
    const now = Date.now();
    const row: NewRow = {
      id: this.#hash(id),
      sealedId: this.#seal(id),
      data: record.data,
      json: record.json ? record.json() : JSON.stringify(record.data),
      createdAt: record.createdAt,
      expiresAt: now + ttl * 1000,
      owner: owner === undefined ? null : this.#hash(`owner:${owner}`),
    };
    return this.#run((signal) => this.dialect.write(row, options?.existing === true, now, signal));
  }

  patch(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<boolean> {
    const slide = expiry(ttl);
    return this.#run((signal) => this.dialect.patch(this.#hash(id), patch, slide, owner === undefined ? null : this.#hash(`owner:${owner}`), signal), applied);
  }

  destroy(id: string): Promise<boolean> {
    return this.#run((signal) => this.dialect.destroy(this.#hash(id), signal));
  }

  async listOwner(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]> {
    const rows = await this.#run((signal) => this.dialect.listOwner(this.#hash(`owner:${owner}`), Date.now(), signal));
    const listed: OwnedSession[] = [];
    const refused: string[] = [];
    for (const row of rows) {
      const id = this.#unseal(row.sealedId);
      if (id !== undefined && this.#hash(id) === row.id && owns(row.data)) listed.push({ id, data: row.data, createdAt: row.createdAt, lastSeenAt: row.expiresAt - ttl * 1000 });
      else refused.push(row.id);
    }
    if (refused.length > 0) await this.#run((signal) => this.dialect.unindex(refused, signal));
    return listed;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.#deadlines.run(() => this.dialect.close()).catch(() => {});
  }

  /** The table's key for a session id, or the owner column's value for `owner:<name>`. */
  #hash(value: string): string {
    return createHmac("sha256", this.#options.hashKey).update(value).digest("hex");
  }

  #seal(id: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#options.sealKey, nonce);
    const sealed = Buffer.concat([cipher.update(id, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString("base64url");
  }

  /** The id a sealed_id holds, or undefined when it was not sealed with this app's key. */
  #unseal(sealed: string): string | undefined {
    try {
      const bytes = Buffer.from(sealed, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", this.#options.sealKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }

  async #sweep(): Promise<void> {
    try {
      await this.#run((signal) => this.dialect.sweep(Date.now(), SWEEP_LIMIT, signal));
    } catch (error) {
      this.#options.logger.warn(`database session store: deleting expired sessions failed: ${(error as Error).message}`, { err: error });
    }
  }

  /** A database call bounded by the statement timeout, `answer` applied to its reply, any failure of it a 503 that names the database. */
  #run<T, R = T>(send: (signal: StopSignal) => Promise<T>, answer?: (reply: T) => R): Promise<R> {
    return this.#deadlines.run(send, this.#unavailable, answer);
  }

  /** Any failure but a conflict (SQLite's patch throws one) is a 503. A field, so every call can pass it as it is. */
  #unavailable = (error: unknown): unknown =>
    error instanceof SessionConflict
      ? error
      : new SessionStoreUnavailable(error, {
          name: this.dialect.where,
          fix: "start that database (or wait for it to come back), or point DATABASE_URL (DRIVERS.database in config/session.ts) at one that runs",
        });
}

/** Whether a patch applied; an increment the database refused is a conflict. */
function applied(outcome: PatchOutcome): boolean {
  if (typeof outcome === "object") throw new SessionConflict(outcome.conflict);
  return outcome;
}
