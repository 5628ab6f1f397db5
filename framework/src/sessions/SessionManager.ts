import type { Logger } from "../core/logger";
import { describeClient } from "./clients";
import { serializeCookie, type CookieOptions, type CookieWrite } from "./cookies";
import { isWellFormedId } from "./ids";
import { CLIENT_KEY } from "./keys";
import { Session, type SessionOptions } from "./Session";
import type { LoadedSession, SessionChanges, StoredData, SessionStore } from "./SessionStore";
import { CookieStore } from "./stores/cookie";

export interface SessionManagerOptions {
  /** The session cookie's name (the id's, or the sealed session's). */
  cookieName: string;
  cookie: CookieOptions;
  /** Seconds of inactivity after which a session ends. */
  timeout: number;
  /** Seconds after creation after which a session ends whatever the activity; undefined for none. */
  lifetime: number | undefined;
  /** The session key whose value names the session's owner (OWNER_KEY). */
  ownerKey: string;
  /** What every Session is made with: the store's size limit, the input never flashed. */
  session: SessionOptions;
  logger: Logger;
}

/** The request's IP and User-Agent header. */
export interface RequestClient {
  ip: string;
  agent: string;
}

/**
 * The session layer between a request's cookies and the store, as Laravel's StartSession
 * is: it owns the id cookie and its flags, the id checks, both lifetimes, and what regenerate
 * and invalidate mean to a store. It takes cookies and gives back Set-Cookie values, so the
 * middleware, the test client and any other caller share it; stores only keep sessions by id.
 */
export class SessionManager {
  readonly store: SessionStore | CookieStore;
  #options: SessionManagerOptions;

  constructor(store: SessionStore | CookieStore, options: SessionManagerOptions) {
    this.store = store;
    this.#options = options;
  }

  /** Seconds of inactivity after which a session ends. */
  get timeout(): number {
    return this.#options.timeout;
  }

  /** Who `data` belongs to: its OWNER_KEY value, a string or number, as a string; undefined when it has none. */
  ownerOf(data: StoredData): string | undefined {
    return ownerName(data[this.#options.ownerKey]);
  }

  /** Opens the store's connections at start-up. */
  async connect(): Promise<void> {
    if (!(this.store instanceof CookieStore)) await this.store.connect?.();
  }

  async close(): Promise<void> {
    if (!(this.store instanceof CookieStore)) await this.store.close?.();
  }

  /** The session the request's cookies point at, when it is live; a fresh one otherwise. */
  async start(cookies: ReadonlyMap<string, string>): Promise<Session> {
    return new Session(await this.load(cookies), this.#options.session);
  }

  /** The stored session the cookies point at, when it is live (within both lifetimes). */
  async load(cookies: ReadonlyMap<string, string>): Promise<LoadedSession | undefined> {
    const loaded = await this.#read(cookies);
    const { lifetime, logger } = this.#options;
    if (loaded && lifetime !== undefined && loaded.createdAt + lifetime * 1000 <= Date.now()) {
      logger.debug("session passed its absolute lifetime; starting a fresh session");
      if (!(this.store instanceof CookieStore)) await this.store.destroy(loaded.id, this.ownerOf(loaded.data));
      return undefined;
    }
    return loaded;
  }

  /**
   * Stores what the request changed and returns the Set-Cookie values the response needs.
   * `ageFlash: false` is for changes made outside a request (a test seeding a session).
   * `client` is the request's IP and User-Agent, recorded with a server-side session when it
   * is created or gets a new id, for SessionRegistry's listing.
   */
  async commit(session: Session, cookies: ReadonlyMap<string, string>, { ageFlash = true, client }: { ageFlash?: boolean; client?: () => RequestClient } = {}): Promise<string[]> {
    const changes = session.changes({ ageFlash });
    const writes = this.store instanceof CookieStore ? this.store.save(changes, cookies, this.#options.timeout) : await this.#save(this.store, changes, client);
    return writes.map((write) => serializeCookie(write, this.#options.cookie));
  }

  async #read(cookies: ReadonlyMap<string, string>): Promise<LoadedSession | undefined> {
    if (this.store instanceof CookieStore) return this.store.load(cookies);
    const id = cookies.get(this.#options.cookieName);
    // An id of the wrong shape never reaches the store; one the store does not know is never adopted.
    if (!isWellFormedId(id)) return undefined;
    const record = await this.store.read(id, this.#options.timeout);
    return record && { id, ...record };
  }

  async #save(store: SessionStore, changes: SessionChanges, client: (() => RequestClient) | undefined): Promise<CookieWrite[]> {
    if (changes.clean) return [];
    const { id, loaded } = changes;
    const { timeout, cookieName, ownerKey } = this.#options;
    const sameId = loaded?.id === id;
    const before = sameId ? this.ownerOf(loaded.data) : undefined;
    // The owner is named to the store only when the session joins its index: at sign-in, not on every request.
    const joins = (owner: string | undefined) => (owner !== before ? owner : undefined);
    if (changes.replace || !store.patch) {
      const data = changes.snapshot();
      // The client that created this id stays its client; a new id (sign-in) records the request's.
      const origin = sameId ? loaded.data[CLIENT_KEY] : client && describeClient(client());
      if (origin !== undefined) data[CLIENT_KEY] = origin;
      // On the same id the session must still exist: one that ended meanwhile (signed out, revoked) stays ended.
      await store.write(id, { data, createdAt: changes.createdAt }, timeout, joins(this.ownerOf(data)), { existing: sameId });
    } else {
      const owner = changes.set.has(ownerKey) ? ownerName(changes.set.get(ownerKey)) : changes.deleted.has(ownerKey) ? undefined : before;
      await store.patch(id, changes, timeout, joins(owner));
    }
    if (loaded && !sameId) {
      // The old id is destroyed after the new one is written, by a call of its own (on a Redis
      // Cluster the two keys may sit in different slots). If this fails the request fails before
      // the client learns the new id, so it keeps its old id with the old data, and the new
      // session, which nobody knows, expires unused. If the old session had ended meanwhile
      // (revoked while this request ran), the new one is no successor of a live session: it
      // ends too, and the client keeps its ended id.
      if ((await store.destroy(loaded.id, this.ownerOf(loaded.data))) === false) {
        await store.destroy(id, this.ownerOf(changes.snapshot()));
        return [];
      }
    }
    return sameId ? [] : [{ name: cookieName, value: id }];
  }
}

/** An owner is a non-empty string or a finite number (a user id); anything else is no owner. */
function ownerName(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}
