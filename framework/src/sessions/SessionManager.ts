import { FrameworkError } from "../core/errors";
import type { Logger } from "../core/logger";
import { describeClient } from "./clients";
import { cookieSerializer, readToken, tokenCookies, type CookieOptions, type CookieWrite } from "./cookies";
import { isWellFormedId } from "./ids";
import { CLIENT_KEY } from "./keys";
import { Session, type SessionOptions } from "./Session";
import { isPromise, type Awaitable, type LoadedSession, type SessionChanges, type SessionStore, type StoredData, type StoredSession } from "./SessionStore";

export interface SessionManagerOptions {
  /** The session cookie's name (the id's, or the sealed session's); a token too long for one cookie continues in `<name>.1` ... */
  cookieName: string;
  /** The configured driver's name, for messages (SessionRegistry names it). */
  driver?: string;
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

/** A session whose stored copy carries its expiry (the cookie store's) is rewritten on a clean request once that expiry would slide by more than this. */
const REFRESH_AFTER_MS = 60_000;

/**
 * The session layer between a request's cookies and the store, as Laravel's StartSession
 * is: it owns the session cookie (its flags, and the chunks of a token too long for one
 * cookie), the id checks, both lifetimes, and what regenerate and invalidate mean to a store.
 * It takes cookies and gives back Set-Cookie values, so the middleware, the test client and
 * any other caller share it; stores only keep sessions by the token the cookie carries.
 */
export class SessionManager {
  readonly store: SessionStore;
  #options: SessionManagerOptions;
  #serialize: (write: CookieWrite) => string;

  constructor(store: SessionStore, options: SessionManagerOptions) {
    this.store = store;
    this.#options = options;
    this.#serialize = cookieSerializer(options.cookie);
  }

  /** Seconds of inactivity after which a session ends. */
  get timeout(): number {
    return this.#options.timeout;
  }

  /** The session cookie's name (its chunks are `<name>.1` ...). */
  get cookieName(): string {
    return this.#options.cookieName;
  }

  /** The configured driver's name, for messages; undefined for a manager built by hand. */
  get driver(): string | undefined {
    return this.#options.driver;
  }

  /** Who `data` belongs to: its OWNER_KEY value, a string or number, as a string; undefined when it has none. */
  ownerOf(data: StoredData): string | undefined {
    return ownerName(data[this.#options.ownerKey]);
  }

  /** Opens the store's connections at start-up. */
  async connect(): Promise<void> {
    await this.store.connect?.();
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }

  /** The session the request's cookies point at, when it is live; a fresh one otherwise. A promise only when the store's read is one. */
  start(cookies: ReadonlyMap<string, string>): Awaitable<Session> {
    const token = this.#token(cookies);
    if (token === undefined) return new Session(undefined, this.#options.session);
    const record = this.store.read(token, this.#options.timeout);
    // The Session is made in the same continuation that receives the record: one promise, not one per step.
    return isPromise(record) ? record.then((found) => this.#started(token, found)) : this.#started(token, record);
  }

  #started(token: string, record: StoredSession | undefined): Awaitable<Session> {
    const loaded = this.#live(token, record);
    return isPromise(loaded) ? loaded.then((found) => new Session(found, this.#options.session)) : new Session(loaded, this.#options.session);
  }

  /** The stored session the cookies point at, when it is live (within both lifetimes). */
  async load(cookies: ReadonlyMap<string, string>): Promise<LoadedSession | undefined> {
    const token = this.#token(cookies);
    if (token === undefined) return undefined;
    return this.#live(token, await this.store.read(token, this.#options.timeout));
  }

  /**
   * Stores what the request changed and returns the Set-Cookie values the response needs.
   * `ageFlash: false` is for changes made outside a request (a test seeding a session).
   * `client` is the request's IP and User-Agent, recorded with the session when it is created
   * or gets a new id, for SessionRegistry's listing (on stores that can list owners).
   */
  commit(session: Session, cookies: ReadonlyMap<string, string>, { ageFlash = true, client }: { ageFlash?: boolean; client?: () => RequestClient } = {}): Awaitable<string[]> {
    // Nothing changed and nothing to age: no changes() to describe, no store to ask, no promise.
    if (session.untouched && this.#keepsExpiry(session.storedExpiresAt)) return [];
    return this.#save(session.changes({ ageFlash }), cookies, client);
  }

  /** The Set-Cookie values that carry `token`: none when the cookie keeps its token. */
  #setCookies(token: string | undefined, cookies: ReadonlyMap<string, string>): string[] {
    if (token === undefined) return [];
    return tokenCookies(this.#options.cookieName, token, cookies).map(this.#serialize);
  }

  /**
   * True when a session whose stored copy expires at `expiresAt` needs no rewrite on a request
   * that changed nothing: a store that slides its expiry on read (none given), or a sealed
   * expiry that would move by less than a minute.
   */
  #keepsExpiry(expiresAt: number | undefined): boolean {
    return expiresAt === undefined || Date.now() + this.#options.timeout * 1000 - expiresAt < REFRESH_AFTER_MS;
  }

  /** The token the cookies carry, when it may reach the store. */
  #token(cookies: ReadonlyMap<string, string>): string | undefined {
    const token = readToken(cookies, this.#options.cookieName);
    // An id of the wrong shape never reaches a server-side store; one the store does not know is never adopted.
    return token === undefined || (!this.store.clientSide && !isWellFormedId(token)) ? undefined : token;
  }

  /** The session read under `token`, unless it passed its absolute lifetime (it is then destroyed). */
  #live(token: string, record: StoredSession | undefined): LoadedSession | undefined | Promise<undefined> {
    if (!record) return undefined;
    // A client-side store names the id its token seals; a server-side store's session id is the
    // token, checked well-formed, whatever its record holds. A record that already names the
    // right id (a LoadedSession) is taken as it is, without a copy.
    const loaded = record.id === token || (record.id !== undefined && this.store.clientSide) ? (record as LoadedSession) : { ...record, id: token };
    const { lifetime, logger } = this.#options;
    if (lifetime === undefined || loaded.createdAt + lifetime * 1000 > Date.now()) return loaded;
    logger.debug("session passed its absolute lifetime; starting a fresh session");
    const destroyed = this.store.destroy(loaded.id, this.ownerOf(loaded.data));
    return isPromise(destroyed) ? destroyed.then(() => undefined) : undefined;
  }

  /** Stores the changes; answers the Set-Cookie values for the token the session cookie must now carry (none when it keeps its own). */
  #save(changes: SessionChanges, cookies: ReadonlyMap<string, string>, client: (() => RequestClient) | undefined): Awaitable<string[]> {
    const { store } = this;
    const { loaded } = changes;
    // A store that cannot slide its expiry on read (the cookie's is sealed) is rewritten once it would slide by more than a minute.
    if (changes.clean && this.#keepsExpiry(loaded?.expiresAt)) return [];
    // Read after the check: a clean fresh session never draws an id.
    const { id } = changes;
    const { timeout, ownerKey } = this.#options;
    const sameId = loaded?.id === id;
    const before = sameId ? this.ownerOf(loaded.data) : undefined;
    // The owner is named to the store only when the session joins its index: at sign-in, not on every request.
    const joins = (owner: string | undefined) => (owner !== before ? owner : undefined);
    let written: Awaitable<boolean | void | string>;
    if (changes.replace || changes.clean || !store.patch) {
      const data = changes.snapshot();
      let json: (() => string) | undefined = () => changes.snapshotJson();
      if (store.listOwner) {
        // The client that created this id stays its client (a store that reads sessions without it,
        // redis, keeps it through a rewrite on the same id); a new id (sign-in) records the request's.
        const origin = sameId ? loaded.data[CLIENT_KEY] : client && describeClient(client());
        if (origin !== undefined) {
          data[CLIENT_KEY] = origin;
          json = undefined;
        }
      }
      // On the same id the session must still exist: one that ended meanwhile (signed out, revoked) stays ended.
      written = store.write(id, { data, createdAt: changes.createdAt, json }, timeout, joins(this.ownerOf(data)), { existing: sameId });
    } else {
      const owner = changes.set.has(ownerKey) ? ownerName(changes.set.get(ownerKey)) : changes.deleted.has(ownerKey) ? undefined : before;
      written = store.patch(id, changes, timeout, joins(owner));
    }
    // The rotation and the cookies follow in the write's own continuation: one promise per commit, not one per step.
    return isPromise(written) ? written.then((result) => this.#finish(changes, result, cookies)) : this.#finish(changes, written, cookies);
  }

  #finish(changes: SessionChanges, written: boolean | void | string, cookies: ReadonlyMap<string, string>): Awaitable<string[]> {
    const token = this.#rotate(changes, written);
    return isPromise(token) ? token.then((carried) => this.#setCookies(carried, cookies)) : this.#setCookies(token, cookies);
  }

  /** After the write: a new id's old session is destroyed; answers the token the cookie must carry. */
  #rotate(changes: SessionChanges, written: boolean | void | string): string | undefined | Promise<string | undefined> {
    const { id, loaded } = changes;
    if (typeof written === "string" && !this.store.clientSide) throw notAToken(written);
    const token = typeof written === "string" ? written : loaded?.id === id ? undefined : id;
    if (!loaded || loaded.id === id) return token;
    // The old id is destroyed after the new one is written, by a call of its own (on a Redis
    // Cluster the two keys may sit in different slots). If this fails the request fails before
    // the client learns the new id, so it keeps its old id with the old data, and the new
    // session, which nobody knows, expires unused. If the old session had ended meanwhile
    // (revoked while this request ran), the new one is no successor of a live session: it
    // ends too, and the client keeps its ended id.
    const destroyed = this.store.destroy(loaded.id, this.ownerOf(loaded.data));
    const settle = async (ended: boolean | void): Promise<string | undefined> => {
      if (ended !== false) return token;
      await this.store.destroy(id, this.ownerOf(changes.snapshot()));
      return undefined;
    };
    return isPromise(destroyed) ? destroyed.then(settle) : destroyed === false ? settle(false) : token;
  }
}

/** A server-side store's write answered a string (ioredis's "OK" from SET, say), which only a client-side store's token may be. */
function notAToken(written: string): FrameworkError {
  return new FrameworkError(
    "E_SESSION_STORE_TOKEN",
    `The session store's write() answered the string ${JSON.stringify(written.slice(0, 20))}, which the session cookie would carry instead of the id, but the store does not declare clientSide: make write() answer true, false or nothing (not what a Redis or SQL client returns), or declare clientSide = true if its token really is the session.`,
  );
}

/** An owner is a non-empty string or a finite number (a user id); anything else is no owner. */
function ownerName(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}
