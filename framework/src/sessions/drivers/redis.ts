import type { Context } from "koa";
import Redis, { type RedisOptions } from "ioredis";
import { FrameworkError } from "../../foundation/errors";
import type { Logger } from "../../foundation/logger";
import { requestCookies, setCookie, type CookieOptions } from "../cookies";
import { isWellFormedId } from "../ids";
import type { LoadedSession, SessionChanges, SessionData, SessionDriver } from "../SessionDriver";

export interface RedisDriverOptions {
  name: string;
  cookie: CookieOptions;
  /** `redis://` URL; when set it replaces host/port/password. */
  url?: string;
  host: string;
  port: number;
  password?: string;
  /** Passed to ioredis as they are (db, tls, sentinels, name ...). */
  options: RedisOptions;
  /** Idle timeout in seconds: the hash expires this long after the last request that touched it. */
  timeout: number;
  lifetime: number | undefined;
  namespace: string;
  /** Milliseconds a request waits for Redis before it answers 503. */
  commandTimeout: number;
  logger: Logger;
}

/** Hash field for the creation time; Session refuses user keys starting with "__". */
const CREATED = "__created";

/** A Redis failure, as the error page shows it: the store, not the app, is unavailable. */
export class SessionStoreUnavailable extends FrameworkError {
  constructor(cause: unknown) {
    super("E_SESSION_STORE_UNAVAILABLE", `The session store (Redis) is unavailable: ${(cause as Error)?.message ?? cause}`, {
      status: 503,
      expose: false,
      cause,
    });
  }
}

/**
 * One Redis hash per session, `<namespace>:session:<id>`, each session key a field
 * holding JSON. Loading is HGETALL+EXPIRE in one round trip; a write sends only the
 * changed fields in one MULTI, with HINCRBY for increments so concurrent requests of
 * one user lose nothing. The browser only ever holds the random id.
 */
export class RedisDriver implements SessionDriver {
  readonly client: Redis;
  #options: RedisDriverOptions;

  constructor(options: RedisDriverOptions) {
    this.#options = options;
    const connection: RedisOptions = {
      password: options.password || undefined,
      ...options.options,
      // Fail fast while disconnected instead of queueing requests behind a dead server.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeout,
      lazyConnect: true,
    };
    this.client = options.url ? new Redis(options.url, connection) : new Redis({ host: options.host, port: options.port, ...connection });
    this.client.on("error", (error: Error) => options.logger.debug(`redis session store: ${error.message}`));
  }

  /** Connects at start-up, so a wrong host or port is a clear message before the first request. */
  async connect(): Promise<void> {
    const where = this.#options.url ? "REDIS_URL" : `${this.#options.host}:${this.#options.port}`;
    try {
      await this.#bounded(this.client.connect());
      await this.#bounded(this.client.ping());
    } catch (error) {
      this.client.disconnect();
      throw new FrameworkError(
        "E_SESSION_STORE_UNREACHABLE",
        `The redis session driver cannot reach Redis at ${where}: ${(error as Error).message}. Start Redis, fix REDIS_HOST/REDIS_PORT (or the url) in config/session.ts, or use SESSION_DRIVER=cookie.`,
        { cause: error },
      );
    }
  }

  key(id: string): string {
    return `${this.#options.namespace}:session:${id}`;
  }

  async load(ctx: Context): Promise<LoadedSession | undefined> {
    const id = requestCookies(ctx).get(this.#options.name);
    if (!isWellFormedId(id)) return undefined;
    const key = this.key(id);
    const [[loadError, fields]] = (await this.#run(
      this.client.pipeline().hgetall(key).expire(key, this.#options.timeout).exec(),
    )) as [[Error | null, Record<string, string>]];
    if (loadError) throw new SessionStoreUnavailable(loadError);
    const createdAt = Number(fields[CREATED]);
    // An id Redis does not know is never adopted: the client gets a new one.
    if (!Number.isFinite(createdAt)) return undefined;
    const lifetime = this.#options.lifetime;
    if (lifetime !== undefined && createdAt + lifetime * 1000 <= Date.now()) {
      await this.#run(this.client.unlink(key));
      return undefined;
    }
    const data: SessionData = Object.create(null);
    for (const [field, raw] of Object.entries(fields)) {
      if (field === CREATED) continue;
      try {
        data[field] = JSON.parse(raw);
      } catch {
        this.#options.logger.warn(`redis session store: field "${field}" of a session is not JSON; ignored`);
      }
    }
    return { id, data, createdAt };
  }

  async commit(ctx: Context, changes: SessionChanges): Promise<void> {
    if (changes.clean) return;
    const key = this.key(changes.id);
    const tx = this.client.multi();
    if (changes.replace) {
      // Flush rewrites the hash; regenerate and invalidate retire the old id with it.
      if (changes.loaded) tx.unlink(this.key(changes.loaded.id));
      tx.hset(key, CREATED, String(changes.createdAt), ...encode(Object.entries(changes.snapshot())));
    } else {
      if (changes.deleted.size > 0) tx.hdel(key, ...changes.deleted);
      if (changes.set.size > 0) tx.hset(key, ...encode(changes.set));
      for (const [field, by] of changes.increments) {
        if (Number.isInteger(by)) tx.hincrby(key, field, by);
        else tx.hincrbyfloat(key, field, by);
      }
    }
    tx.expire(key, this.#options.timeout);
    const results = await this.#run(tx.exec());
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new SessionStoreUnavailable(failed?.[0] ?? new Error("transaction aborted"));
    if (changes.loaded?.id !== changes.id) setCookie(ctx, this.#options.name, changes.id, this.#options.cookie);
  }

  async close(): Promise<void> {
    if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /** Bounds a Redis call by the command timeout and turns any failure into a 503. */
  async #run<T>(promise: Promise<T>): Promise<T> {
    try {
      return await this.#bounded(promise);
    } catch (error) {
      throw error instanceof SessionStoreUnavailable ? error : new SessionStoreUnavailable(error);
    }
  }

  #bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#options.commandTimeout} ms`)), this.#options.commandTimeout);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function encode(entries: Iterable<readonly [string, unknown]>): string[] {
  const args: string[] = [];
  for (const [field, value] of entries) args.push(field, JSON.stringify(value));
  return args;
}
