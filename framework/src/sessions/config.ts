import type { ClusterOptions, RedisOptions } from "ioredis";
import type { Logger } from "../core/logger";
import type { FieldPattern } from "./oldInput";
import type { SessionSchema } from "./SessionData";
import type { SessionStore } from "./SessionStore";

// What config/session.ts declares: the types of its settings, their defaults, and the helpers
// that check them at compile time. The checks at start-up are in configChecks.ts, the drivers in
// drivers.ts, and the assembly of the session layer in createSessionManager.ts.

/** Every driver block may set its own idle timeout. */
interface DriverConfig {
  /** Seconds without activity after which a session of this driver ends, instead of TIMEOUT (as the seed's `timeout: 60 * 60`). */
  timeout?: number;
}

/** Every server-side store takes a size cap. */
interface ServerStoreConfig extends DriverConfig {
  /** Most bytes of data (as JSON) one session may hold (default 256 KB). */
  maxSize?: number;
}

export interface CookieDriverConfig extends DriverConfig {
  /**
   * Most bytes the session's cookies may take in the browser's Cookie header, every chunk's
   * name=value counted (default 6 KB: servers and proxies commonly refuse a Cookie header
   * over 8 KB, and the app's other cookies need room too).
   */
  maxSize?: number;
}

export interface RedisDriverConfig extends ServerStoreConfig {
  url?: string;
  host?: string;
  port?: number;
  password?: string;
  /**
   * ioredis options, passed as they are (db, username, tls ...). For Redis Sentinel:
   * `{ sentinels: [{ host, port }, ...], name: "mymaster" }`; host/port/url are then unused.
   */
  options?: RedisOptions;
  /** Redis Cluster seed nodes, `[{ host, port }, ...]`: the store then uses ioredis's Cluster (database 0 only). */
  cluster?: { host: string; port: number }[];
  /** More ioredis ClusterOptions (natMap, slotsRefreshTimeout ...) when `cluster` is set. */
  clusterOptions?: ClusterOptions;
  /** Key prefix: `<namespace>:session:<id>` (default "masonite4"). */
  namespace?: string;
  /** Milliseconds to wait for Redis before answering 503 (default 2000). */
  commandTimeout?: number;
}

export interface FileDriverConfig extends ServerStoreConfig {
  /** The folder, relative to the app's root (default "storage/framework/sessions"). */
  directory?: string;
  /** Milliseconds a request waits for its session's lock (another request changing it) before answering 503 (default 2000). */
  lockTimeout?: number;
}

export interface MemoryDriverConfig extends ServerStoreConfig {
  /** The most sessions kept; past it the least recently used session is dropped (default 10,000). */
  maxSessions?: number;
}

export interface DatabaseDriverConfig extends ServerStoreConfig {
  /**
   * DATABASE_URL: its scheme picks the dialect, `postgres://` (or `postgresql://`), `mysql://`
   * (or `mariadb://`), `sqlite:relative/or/absolute/path.db`. When set it replaces the settings below.
   */
  url?: string;
  /** Without a url: which server. MariaDB is "mysql". */
  dialect?: "postgres" | "mysql" | "sqlite";
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  /** The database's name; for SQLite the file, relative to the app's root. */
  database?: string;
  /** The sessions table (default "sessions"): `craft session:table` prints its statements. */
  table?: string;
  /** Most connections each process opens (default 10). */
  pool?: number;
  /** Milliseconds a request waits for the database, a free connection included, before it answers 503 (default 2000). */
  statementTimeout?: number;
}

/** What a store factory gets besides its own config block. */
export interface StoreContext {
  /** The app's folder, for stores that keep files. */
  root: string;
  /** The idle timeout in seconds. */
  timeout: number;
  /** APP_KEY, for stores that derive a secret of their own from it (deriveKey). */
  key: string;
  /** APP_ENV. */
  environment: string;
  logger: Logger;
}

/** A custom server-side store: one file exporting a factory, named in DRIVERS as `{ driver: factory, ... }`. */
export type StoreFactory = (config: Record<string, unknown>, context: StoreContext) => SessionStore | Promise<SessionStore>;

export interface CustomDriverConfig extends ServerStoreConfig {
  driver: StoreFactory;
  [option: string]: unknown;
}

/** `DRIVERS` in config/session.ts: the default driver's name and one block per driver. */
export interface SessionDrivers {
  default: string;
  cookie?: CookieDriverConfig;
  redis?: RedisDriverConfig;
  file?: FileDriverConfig;
  memory?: MemoryDriverConfig;
  database?: DatabaseDriverConfig;
  [custom: string]: string | CookieDriverConfig | RedisDriverConfig | FileDriverConfig | MemoryDriverConfig | DatabaseDriverConfig | CustomDriverConfig | undefined;
}

/** Everything config/session.ts exports. */
export interface SessionConfig {
  DRIVERS: SessionDrivers;
  /** Seconds of inactivity after which a session ends, on every driver (default 2 hours). */
  TIMEOUT?: number;
  /**
   * Seconds after creation (or the last `regenerate()`, that is sign-in) after which a session
   * ends whatever the activity, on every driver (default 12 hours); `false` for none.
   */
  LIFETIME?: number | false;
  /** Session cookie settings; `secure` defaults to true when the app URL is https. */
  COOKIE?: { name?: string; secure?: boolean; sameSite?: "lax" | "strict" | "none"; domain?: string };
  /** Input fields `withInput()` never flashes, at any depth (default DEFAULT_DONT_FLASH). */
  DONT_FLASH?: readonly FieldPattern[];
  /** The session key whose value (a string or number) names the session's owner, for SessionRegistry (default "user_id"). */
  OWNER_KEY?: string;
  /**
   * Optional zod schemas for declared keys, `defineSchema({ user_id: z.string() })`: a stored
   * value is checked the first time its key is read in a request, and dropped if it does not fit.
   */
  SCHEMA?: SessionSchema;
}

/** The block's type for a built-in driver's name. */
interface BuiltInDriverConfigs {
  cookie: CookieDriverConfig;
  redis: RedisDriverConfig;
  file: FileDriverConfig;
  memory: MemoryDriverConfig;
  database: DatabaseDriverConfig;
}

/**
 * DRIVERS with every option a built-in block does not declare typed `never`: a generic
 * parameter escapes TypeScript's excess-property check, so a misspelt option beside valid
 * ones would otherwise compile. A block with a `driver` factory is custom and takes anything.
 */
export type CheckedDrivers<T> = {
  [K in keyof T]: K extends keyof BuiltInDriverConfigs ? (T[K] extends { driver: StoreFactory } ? T[K] : T[K] & { [Option in Exclude<keyof T[K], keyof BuiltInDriverConfigs[K]>]: never }) : T[K];
};

/**
 * Declares DRIVERS with its types checked: a misspelt option (even beside valid ones) or a
 * value of the wrong type in a driver block is a compile error, and the literal types stay for
 * the rest of the app.
 */
export function defineDrivers<const T extends SessionDrivers>(drivers: T & CheckedDrivers<T>): T {
  return drivers;
}

/**
 * Declares SCHEMA with its types checked against the app's SessionData: a schema for an
 * undeclared key, or one whose output is not the declared type, is a compile error.
 */
export function defineSchema(schema: SessionSchema): SessionSchema {
  return schema;
}

/** Every default of the session layer, in one place. */
export const SESSION_DEFAULTS = {
  timeout: 2 * 60 * 60,
  /** A working day and then some: a session (or a copy of its cookie) is not good for longer. */
  lifetime: 12 * 60 * 60,
  cookieName: "masonite_session",
  cookieMaxSize: 6 * 1024,
  serverMaxSize: 256 * 1024,
  redisNamespace: "masonite4",
  redisCommandTimeout: 2000,
  fileDirectory: "storage/framework/sessions",
  fileLockTimeout: 2000,
  memoryMaxSessions: 10_000,
  databaseTable: "sessions",
  databasePool: 10,
  databaseStatementTimeout: 2000,
  ownerKey: "user_id",
} as const;

