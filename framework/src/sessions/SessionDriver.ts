import type { Context } from "koa";

/** Session values as stored: JSON-safe data, flash bookkeeping and the CSRF token included. */
export type SessionData = Record<string, unknown>;

/** What a driver hands the Session when a client presents a live session. */
export interface LoadedSession {
  id: string;
  data: SessionData;
  /** Epoch ms when the session began, for the absolute lifetime. */
  createdAt: number;
  /** Epoch ms when the stored copy expires if nothing touches it; drivers that slide the expiry at load leave it out. */
  expiresAt?: number;
}

/**
 * One request's changes, described once by the Session. A driver that stores the whole
 * session (cookie) uses `snapshot`; a driver that can patch (redis) uses the key-level
 * `set`/`deleted`/`increments` unless `replace` says the stored copy must be rewritten.
 */
export interface SessionChanges {
  id: string;
  createdAt: number;
  /** True when nothing about the stored session changed. */
  clean: boolean;
  /** Rewrite the stored session from `snapshot` (new session, flush, regenerate, invalidate). */
  replace: boolean;
  set: ReadonlyMap<string, unknown>;
  deleted: ReadonlySet<string>;
  /** Numeric deltas to apply atomically, for keys the request only incremented. */
  increments: ReadonlyMap<string, number>;
  /** The complete data after this request. */
  snapshot(): SessionData;
  /** `snapshot()` as JSON, serialised at most once per request. */
  snapshotJson(): string;
  /** What load returned, if anything; its id differs from `id` after regenerate/invalidate. */
  loaded: LoadedSession | undefined;
}

/** The most a store keeps of one session; Session enforces it before anything is written. */
export interface SizeLimit {
  /** Bytes of the session's data as JSON. */
  bytes: number;
  /** What a developer whose session outgrew the limit can do, for the error message. */
  advice: string;
}

/**
 * Storage mechanics only; every session rule lives in Session. A new driver is one file
 * implementing this, plus an entry in `config/session.ts`.
 */
export interface SessionDriver {
  /** The stored session the request points at, or undefined for a fresh one (never adopt unknown ids). */
  load(ctx: Context): Promise<LoadedSession | undefined>;
  /** Persists the changes and sets whatever cookie the client needs; called once per request. */
  commit(ctx: Context, changes: SessionChanges): Promise<void>;
  /** The store's size limit, when it has one. */
  readonly sizeLimit?: SizeLimit;
  /** Opens connections at start-up, so a misconfigured store stops the app with a clear message. */
  connect?(): Promise<void>;
  /** Releases connections at shutdown. */
  close(): Promise<void>;
}
