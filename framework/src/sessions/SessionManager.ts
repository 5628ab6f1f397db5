import type { Logger } from "../core/logger";
import { serializeCookie, type CookieOptions, type CookieWrite } from "./cookies";
import { isWellFormedId } from "./ids";
import { Session, type SessionOptions } from "./Session";
import type { LoadedSession, SessionChanges, SessionStore } from "./SessionStore";
import { CookieStore } from "./stores/cookie";

export interface SessionManagerOptions {
  /** The session cookie's name (the id's, or the sealed session's). */
  cookieName: string;
  cookie: CookieOptions;
  /** Seconds of inactivity after which a session ends. */
  timeout: number;
  /** Seconds after creation after which a session ends whatever the activity; undefined for none. */
  lifetime: number | undefined;
  /** What every Session is made with: the store's size limit, the input never flashed. */
  session: SessionOptions;
  logger: Logger;
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
      if (!(this.store instanceof CookieStore)) await this.store.destroy(loaded.id);
      return undefined;
    }
    return loaded;
  }

  /**
   * Stores what the request changed and returns the Set-Cookie values the response needs.
   * `ageFlash: false` is for changes made outside a request (a test seeding a session).
   */
  async commit(session: Session, cookies: ReadonlyMap<string, string>, { ageFlash = true } = {}): Promise<string[]> {
    const changes = session.changes({ ageFlash });
    const writes = this.store instanceof CookieStore ? this.store.save(changes, cookies, this.#options.timeout) : await this.#save(this.store, changes);
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

  async #save(store: SessionStore, changes: SessionChanges): Promise<CookieWrite[]> {
    if (changes.clean) return [];
    const { id, loaded } = changes;
    const { timeout, cookieName } = this.#options;
    if (changes.replace || !store.patch) await store.write(id, { data: changes.snapshot(), createdAt: changes.createdAt }, timeout);
    else await store.patch(id, changes, timeout);
    if (loaded && loaded.id !== id) {
      // The old id is destroyed after the new one is written, by a call of its own (on a Redis
      // Cluster the two keys may sit in different slots). If this fails the request fails before
      // the client learns the new id, so it keeps its old id with the old data, and the new
      // session, which nobody knows, expires unused.
      await store.destroy(loaded.id);
    }
    return loaded?.id === id ? [] : [{ name: cookieName, value: id }];
  }
}
