import type { SessionPatch, StoredData } from "../../SessionStore";
import type { SqlDialectName } from "./schema";

// What DatabaseStore asks of each SQL server's dialect (postgres.ts, mysql.ts, sqlite.ts).

/** A live session's row as the store reads it. */
/** Where a database server is and who to log in as: what the pg and mysql2 pools are given. */
export interface ServerAddress {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
}

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

/** What a patch did: applied (true), found no live row (false), or refused because `conflict` holds no number. */
export type PatchOutcome = boolean | { conflict: string };

/**
 * One SQL server's statements for the store. Every time is epoch milliseconds from the app's
 * clock; `now` is the moment a row counts as expired at. Each method is one statement (one round
 * trip) unless its dialect says otherwise; any failure rejects, and the store makes it a 503.
 * `signal` aborts when the store stopped waiting (its request answered 503): a dialect that
 * waits between tries (SQLite, for a locked file) must not run the statement after that.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  /** Which server, for messages: never a password. */
  readonly where: string;
  /** Opens the pool and proves the server answers. */
  connect(): Promise<void>;
  /** The table's column names, lower case; none when the table does not exist. */
  columns(signal?: AbortSignal): Promise<string[]>;
  /** The live row `id`, its expiry slid to `expiresAt`, in one statement. */
  read(id: string, now: number, expiresAt: number, signal?: AbortSignal): Promise<SessionRow | undefined>;
  /** Stores the row whole; with `existing`, only over a live row, answering false when there was none. */
  write(row: NewRow, existing: boolean, now: number, signal?: AbortSignal): Promise<boolean>;
  patch(id: string, patch: SessionPatch, now: number, expiresAt: number, owner: string | null, signal?: AbortSignal): Promise<PatchOutcome>;
  /** Deletes the row; answers whether there was one. */
  destroy(id: string, signal?: AbortSignal): Promise<boolean>;
  /** The live rows whose owner column is `owner`, without sliding them. */
  listOwner(owner: string, now: number, signal?: AbortSignal): Promise<OwnedRow[]>;
  /** Clears the owner column of rows whose session no longer belongs to it. */
  unindex(ids: string[], signal?: AbortSignal): Promise<void>;
  /** Deletes at most `limit` expired rows. */
  sweep(now: number, limit: number, signal?: AbortSignal): Promise<void>;
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

/** A JSON number's text, as a regular expression both servers read: what an increment may add to. */
export const NUMBER_TEXT = "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$";
