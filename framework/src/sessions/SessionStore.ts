/** Session values as stored: JSON-safe data, the framework's reserved keys included. */
export type StoredData = Record<string, unknown>;

/** A session as a store keeps it. */
export interface SessionRecord {
  data: StoredData;
  /** Epoch ms when the session (or its current id) began, for the absolute lifetime. */
  createdAt: number;
}

/** One request's key-level changes, for stores that apply them atomically. */
export interface SessionPatch {
  set: ReadonlyMap<string, unknown>;
  deleted: ReadonlySet<string>;
  /** Numeric deltas, for keys the request only incremented. */
  increments: ReadonlyMap<string, number>;
}

/** The most a store keeps of one session; Session enforces it before anything is written. */
export interface SizeLimit {
  /** Bytes of the session's data as JSON. */
  bytes: number;
  /** What a developer whose session outgrew the limit can do, for the error message. */
  advice: string;
}

/** How a write may replace what is stored. */
export interface WriteOptions {
  /**
   * The write replaces a session that is live now (flush, or a store without `patch`): it
   * happens only while that session still exists, checked in the same step, so a session
   * destroyed meanwhile (signed out, revoked) is never written back; the write then answers false.
   */
  existing?: boolean;
}

/** A live session of one owner, as a store that indexes sessions by owner lists it. */
export interface OwnedSession extends SessionRecord {
  id: string;
  /** Epoch ms of the session's last activity (the last read or write that slid its idle expiry). */
  lastSeenAt: number;
}

/** A value, or a promise of it: a store that needs no I/O (the cookie store) answers at once, and the manager awaits only a promise. */
export type Awaitable<T> = T | Promise<T>;

/** True for a promise (anything with `then`): the session layer awaits only what is one, so a store that answers at once costs no promise. */
export function isPromise<T>(value: Awaitable<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === "function";
}

/** What `read` answers: the stored session, and what a store whose token is not the id knows besides. */
export interface StoredSession extends SessionRecord {
  /** The session's id when it is not the token the cookie carries (the cookie store's sealed id); read only from a `clientSide` store. */
  id?: string;
  /**
   * Epoch ms when the stored copy expires if nothing touches it, for a store that cannot slide
   * its expiry on read (the cookie store's sealed expiry). The manager rewrites such a session
   * on a request that changed nothing once its expiry would move by more than a minute.
   */
  expiresAt?: number;
}

/** What `write` is handed: the session, and its data as JSON, serialised at most once per request. */
export interface WriteRecord extends SessionRecord {
  /** `JSON.stringify(data)`, for stores that keep JSON; the session layer may already have made it. */
  json?(): string;
}

/**
 * The contract of every store, the cookie store included: a few methods keyed by the token the
 * session cookie carries. For a server-side store the token is the session id; for the cookie
 * store it is the sealed session itself, and `write` answers the new token. Everything else (the
 * cookie and its chunks, id checks, lifetimes, regenerate and invalidate, the size limit, flash
 * data, the CSRF token) is the session layer's, so a new store is one small file.
 */
export interface SessionStore {
  /**
   * True for a store that keeps the session in the token itself (the cookie store): its tokens
   * are not ids, so the session layer hands them over unchecked and the store authenticates them.
   * Absent (a server-side store): only a well-formed id ever reaches `read`.
   */
  readonly clientSide?: boolean;
  /** The session `token` names, its idle expiry slid to `ttl` seconds from now; undefined if unknown, expired or not authentic. */
  read(token: string, ttl: number): Awaitable<StoredSession | undefined>;
  /**
   * Replaces whatever is stored under `id`, to expire `ttl` seconds from now. `owner` is given
   * (to stores with `listOwner`) when the session now belongs to that owner and is not yet in
   * its index: the store adds it, with the write where it can. Answers false when it wrote
   * nothing because `options.existing` found the session ended; a string when the cookie must
   * now carry that token instead of the id (the cookie store's new seal).
   */
  write(id: string, record: WriteRecord, ttl: number, owner?: string, options?: WriteOptions): Awaitable<boolean | void | string>;
  /**
   * Ends the session; `owner`, when known, is the owner whose index it leaves. Answers whether
   * a session was there to end (a store that cannot tell answers nothing, taken as true).
   */
  destroy(id: string, owner?: string): Awaitable<boolean | void>;
  /**
   * Optional: applies key-level changes atomically, so concurrent requests of one user lose
   * nothing (redis). Stores without it get `write` of the whole session: the last write wins.
   * `owner` as for `write`. A session that ended (expired, destroyed) is left ended, and the
   * patch answers false.
   */
  patch?(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<boolean | void>;
  /**
   * Optional, with the `owner` arguments above: the live sessions in `owner`'s index whose data
   * `owns` accepts, without sliding their expiry. Entries whose session ended (expired,
   * destroyed) or that `owns` refuses leave the index here, so no sweep scans every session.
   * `ttl` is the idle timeout, for working out each session's last activity. Only a store that
   * has it gets the client (IP, browser) recorded with each session, for SessionRegistry.
   */
  listOwner?(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]>;
  /** Opens connections at start-up, so a misconfigured store stops the app with a clear message. */
  connect?(): Promise<void>;
  /** Releases connections and timers at shutdown. */
  close?(): Promise<void>;
}

/** What the session layer hands a Session when a client presents a live session. */
export interface LoadedSession extends StoredSession {
  id: string;
}

/**
 * One request's changes, described once by the Session: the key-level patch, or `replace`
 * when the stored copy must be rewritten from `snapshot` (new session, flush, regenerate).
 */
export interface SessionChanges extends SessionPatch {
  id: string;
  createdAt: number;
  /** True when nothing about the stored session changed. */
  clean: boolean;
  replace: boolean;
  /** The complete data after this request. */
  snapshot(): StoredData;
  /** `snapshot()` as JSON, serialised at most once per request. */
  snapshotJson(): string;
  /** What was loaded, if anything; its id differs from `id` after regenerate/invalidate. */
  loaded: LoadedSession | undefined;
}
