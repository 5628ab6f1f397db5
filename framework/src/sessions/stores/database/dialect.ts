import type { SessionPatch, StoredData } from "../../SessionStore";
import type { SqlDialectName } from "./schema";
import type { StopSignal } from "../deadlines";

// What DatabaseStore asks of each SQL server's dialect (postgres.ts, mysql.ts, sqlite.ts).

/** Where a database server is and who to log in as: what the pg and mysql2 pools are given. */
export interface ServerAddress {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
}

/** A live session's row as the store reads it. */
export interface SessionRow {
  data: StoredData;
  createdAt: number;
}

/** A row listed for an owner: its key, its sealed id and its expiry besides. */
export interface OwnedRow extends SessionRow {
  id: string;
  sealedId: string;
  expiresAt: number;
}

/** A whole session as `write` stores it. */
export interface NewRow {
  /** The HMAC of the session id: the table's key. */
  id: string;
  sealedId: string;
  /** The data, and its JSON (made at most once per request by the session layer). */
  data: StoredData;
  json: string;
  createdAt: number;
  expiresAt: number;
  /** The HMAC of the owner the session joins, or null to keep the row's. */
  owner: string | null;
}

/**
 * When a row counts as expired, and how a request slides its idle expiry (epoch milliseconds
 * from the app's clock). A row's `expires_at` is written only while it is before `slideBefore`,
 * a little short of `until`: most requests then leave the indexed column as it was, so a read
 * writes nothing and a patch changes no indexed column (PostgreSQL updates the row in place,
 * without new index entries; a row updated by every request otherwise bloats all three indexes).
 */
export interface Expiry {
  /** The moment a row counts as expired at. */
  now: number;
  /** The expiry a request slides the row's to. */
  until: number;
  slideBefore: number;
}

/** What a patch did: applied (true), found no live row (false), or refused because `conflict` holds no number. */
export type PatchOutcome = boolean | { conflict: string };

/**
 * One SQL server's statements for the store. Every time is epoch milliseconds from the app's
 * clock; `now` is the moment a row counts as expired at. Each method is one statement (one round
 * trip) unless its dialect says otherwise; any failure rejects, and the store makes it a 503.
 * `signal` is aborted once the store stopped waiting (its request answered 503): a dialect that
 * waits between tries (SQLite, for a locked file) must not run the statement after that.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  /** Which server, for messages: never a password. */
  readonly where: string;
  /** Opens the pool and proves the server answers. */
  connect(): Promise<void>;
  /** The table's column names, lower case; none when the table does not exist. */
  columns(signal?: StopSignal): Promise<string[]>;
  /** The live row `id`, its expiry slid as `expiry` says: one statement, and on PostgreSQL and SQLite a second when the slide is due. */
  read(id: string, expiry: Expiry, signal?: StopSignal): Promise<SessionRow | undefined>;
  /** Stores the row whole; with `existing`, only over a live row, answering false when there was none. */
  write(row: NewRow, existing: boolean, now: number, signal?: StopSignal): Promise<boolean>;
  /** Applies `patch` to the live row `id` key by key, sliding its expiry as `expiry` says. */
  patch(id: string, patch: SessionPatch, expiry: Expiry, owner: string | null, signal?: StopSignal): Promise<PatchOutcome>;
  /** Deletes the row; answers whether there was one. */
  destroy(id: string, signal?: StopSignal): Promise<boolean>;
  /** The live rows whose owner column is `owner`, without sliding them. */
  listOwner(owner: string, now: number, signal?: StopSignal): Promise<OwnedRow[]>;
  /** Clears the owner column of rows whose session no longer belongs to it. */
  unindex(ids: string[], signal?: StopSignal): Promise<void>;
  /** Deletes at most `limit` expired rows. */
  sweep(now: number, limit: number, signal?: StopSignal): Promise<void>;
  close(): Promise<void>;
}

/** JSON text's value, or undefined when it is not JSON: a row someone else wrote is read as no session, never a failed request. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The JSON a dialect's client handed back (text, or already parsed) as session data; anything but an object is no session. */
export function sessionData(value: unknown): StoredData | undefined {
  const data = typeof value === "string" ? parsed(value) : value;
  return data !== null && typeof data === "object" && !Array.isArray(data) ? (data as StoredData) : undefined;
}

/**
 * A session as the server-side JSON column keeps it (PostgreSQL, MySQL): an object of each key's
 * value as JSON text, as the redis store keeps its fields. jsonb and MySQL's JSON order an
 * object's keys their own way, while a value keeps the order it was written in (an error bag's
 * fields are shown in that order).
 */
export function encodeFields(entries: Iterable<[string, unknown]>): string {
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of entries) fields[key] = JSON.stringify(value);
  return JSON.stringify(fields);
}

/** The data `encodeFields` made, back; a null prototype, so no stored key passes for a prototype's. A field that is not JSON text makes the row no session: the store wrote none such. */
export function decodeFields(value: unknown): StoredData | undefined {
  const fields = sessionData(value);
  if (!fields) return undefined;
  const data: StoredData = Object.create(null);
  for (const [key, text] of Object.entries(fields)) {
    const field = typeof text === "string" ? parsed(text) : undefined;
    if (field === undefined) return undefined;
    data[key] = field;
  }
  return data;
}

/**
 * A patch whose statement applies only to a live row where every incremented key holds a number
 * or nothing (PostgreSQL, MySQL): applied, or, on the rare path, told apart afterwards by `peek`,
 * which reads the live row: an ended session, or the key that holds no number. When neither holds
 * (a concurrent request put a number back meanwhile), the patch is tried once more.
 */
export async function appliedOrExplained(apply: () => Promise<boolean>, peek: () => Promise<StoredData | undefined>, incremented: ReadonlyMap<string, number>): Promise<PatchOutcome> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await apply()) return true;
    if (incremented.size === 0) return false;
    const current = await peek();
    if (!current) return false;
    const conflict = [...incremented.keys()].find((key) => Object.hasOwn(current, key) && typeof current[key] !== "number");
    if (conflict !== undefined) return { conflict };
  }
  throw new Error("the database refused a session patch twice without a key that holds no number.");
}

/** A JSON number's text, as a regular expression both servers read: what an increment may add to. */
export const NUMBER_TEXT = "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$";
