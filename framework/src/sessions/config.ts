import path from "node:path";
import type { ClusterOptions, RedisOptions } from "ioredis";
import { ConfigurationError } from "../core/errors";
import type { Logger } from "../core/logger";
import type { Environment } from "../core/environment";
import type { CookieOptions } from "./cookies";
import { isReserved, RESERVED_PREFIX } from "./keys";
import { DEFAULT_DONT_FLASH, fieldMatcher, type FieldPattern } from "./oldInput";
import { SessionManager } from "./SessionManager";
import type { SessionSchema } from "./SessionData";
import type { SessionStore, SizeLimit } from "./SessionStore";
import { CookieStore } from "./stores/cookie";

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
  [custom: string]: string | CookieDriverConfig | RedisDriverConfig | FileDriverConfig | MemoryDriverConfig | CustomDriverConfig | undefined;
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
  ownerKey: "user_id",
} as const;

/** What the rest of the app contributes: the key the cookie store seals with, the URL, the folder. */
export interface SessionAppContext {
  key: string;
  previousKeys: readonly string[];
  appUrl: string;
  root: string;
  /** Production warns when the session cookie would go without Secure, or sessions live in memory. */
  environment: Environment;
  logger: Logger;
}

/** A setting that counts something: undefined (use the default) or a positive whole number of `unit`. */
function positiveWhole(value: unknown, what: string, unit: "seconds" | "bytes" | "sessions"): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${what} must be a positive whole number of ${unit}, got ${JSON.stringify(value)}.`);
  }
  return value as number;
}

/** A duration setting: undefined (use the default) or a positive finite number of `unit`. */
function duration(value: unknown, what: string, unit: "seconds" | "milliseconds"): number | undefined {
  // Whole seconds: Redis's EXPIRE takes nothing else, and a fraction would fail every request there.
  if (unit === "seconds") return positiveWhole(value, what, "seconds");
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${what} must be a positive number of milliseconds, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function sessionSchema(value: unknown): SessionSchema | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", "config/session.ts: SCHEMA must be an object of zod schemas by session key, such as defineSchema({ user_id: z.string() }).");
  }
  for (const [key, schema] of Object.entries(value)) {
    if (isReserved(key)) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: SCHEMA.${key} names a reserved key (the framework's own keys start with "__"); check only keys the app stores.`);
    }
    if (typeof (schema as { safeParse?: unknown } | null)?.safeParse !== "function") {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: SCHEMA.${key} must be a schema with safeParse(), such as z.string() from zod.`);
    }
  }
  return value as SessionSchema;
}

/**
 * The built-in server-side stores, each loaded only when chosen (a cookie-only app never loads
 * ioredis). `require`, since the framework runs as CommonJS and import() would look for .js files.
 */
const SERVER_STORES: Record<string, StoreFactory> = {
  redis: async (config, context) => {
    const c = config as RedisDriverConfig;
    if (!c.url && !c.host && !c.cluster?.length && !c.options?.sentinels?.length) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", "config/session.ts: DRIVERS.redis needs a host (and port), a url, options.sentinels (with options.name) or cluster nodes.");
    }
    if (c.options?.sentinels?.length && !c.options.name) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", 'config/session.ts: DRIVERS.redis.options.sentinels needs options.name, the master group the sentinels monitor (e.g. "mymaster").');
    }
    const { RedisStore } = require("./stores/redis") as typeof import("./stores/redis");
    return new RedisStore({
      url: c.url || undefined,
      host: c.host ?? "127.0.0.1",
      port: c.port ?? 6379,
      password: c.password,
      options: c.options ?? {},
      cluster: c.cluster?.length ? c.cluster : undefined,
      clusterOptions: c.clusterOptions,
      namespace: c.namespace ?? SESSION_DEFAULTS.redisNamespace,
      commandTimeout: duration(c.commandTimeout, "DRIVERS.redis.commandTimeout", "milliseconds") ?? SESSION_DEFAULTS.redisCommandTimeout,
      logger: context.logger,
    });
  },
  file: async (config, context) => {
    const c = config as FileDriverConfig;
    const { FileStore } = require("./stores/file") as typeof import("./stores/file");
    const { deriveKey, parseKey } = require("../security/keys") as typeof import("../security/keys");
    let key: Buffer;
    try {
      key = deriveKey(parseKey(context.key), "session-file-names");
    } catch (error) {
      throw new ConfigurationError("E_INVALID_APP_KEY", 'APP_KEY is missing or shorter than 32 bytes, and the file session store names its files with a key derived from it: generate one with "craft key" and set it in the environment.', error);
    }
    return new FileStore({
      directory: path.resolve(context.root, c.directory ?? SESSION_DEFAULTS.fileDirectory),
      timeout: context.timeout,
      key,
      lockTimeout: duration(c.lockTimeout, "DRIVERS.file.lockTimeout", "milliseconds") ?? SESSION_DEFAULTS.fileLockTimeout,
      logger: context.logger,
    });
  },
  memory: async (config, context) => {
    const maxSessions = positiveWhole((config as MemoryDriverConfig).maxSessions, "DRIVERS.memory.maxSessions", "sessions") ?? SESSION_DEFAULTS.memoryMaxSessions;
    if (context.environment === "production") {
      context.logger.warn("The memory session driver is in use in production: sessions live in one process, end at every restart and are not shared between workers; use redis (or file on one machine) in config/session.ts.");
    }
    const { MemoryStore } = require("./stores/memory") as typeof import("./stores/memory");
    return new MemoryStore({ maxSessions, logger: context.logger });
  },
};

const BUILT_IN = ["cookie", ...Object.keys(SERVER_STORES)];

/** The options each built-in driver's block takes: anything else in it stops start-up. */
const DRIVER_OPTIONS: Record<string, readonly string[]> = {
  cookie: ["maxSize", "timeout"],
  redis: ["url", "host", "port", "password", "options", "cluster", "clusterOptions", "namespace", "commandTimeout", "maxSize", "timeout"],
  file: ["directory", "maxSize", "timeout", "lockTimeout"],
  memory: ["maxSize", "timeout", "maxSessions"],
};

/** Edits (insert, delete, substitute, case aside) from `a` to `b`. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[y.length]!;
}

/**
 * Refuses an option a built-in driver's block does not take, in every block DRIVERS holds (not
 * only the chosen one: switching SESSION_DRIVER must not reveal a typo later). TypeScript
 * catches it in a config written with defineDrivers; this catches the rest (plain JavaScript,
 * a cast, a spread of something untyped). A block with its own `driver` factory is custom.
 */
function checkDriverOptions(drivers: SessionDrivers): void {
  for (const [name, options] of Object.entries(DRIVER_OPTIONS)) {
    const block = drivers[name];
    if (block === undefined || block === null || typeof block !== "object" || typeof (block as { driver?: unknown }).driver === "function") continue;
    for (const option of Object.keys(block)) {
      if (options.includes(option)) continue;
      const closest = options.reduce((best, candidate) => (distance(option, candidate) < distance(option, best) ? candidate : best));
      throw new ConfigurationError(
        "E_UNKNOWN_SESSION_OPTION",
        `config/session.ts: DRIVERS.${name}.${option} is not an option of the ${name} driver (did you mean ${closest}?): rename or remove it; the ${name} driver takes ${options.join(", ")}.`,
      );
    }
  }
}

/** Builds the session layer config/session.ts describes, or says exactly what in it is wrong. */
export async function createSessionManager(config: SessionConfig, app: SessionAppContext): Promise<SessionManager> {
  const drivers = config.DRIVERS;
  const name = drivers?.default;
  const known = [...new Set([...BUILT_IN, ...Object.keys(drivers ?? {}).filter((key) => key !== "default")])];
  if (typeof name !== "string" || !name) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: DRIVERS.default must name a driver (${known.join(", ")}).`);
  }
  const block = (drivers[name] ?? (BUILT_IN.includes(name) ? {} : undefined)) as Record<string, unknown> | undefined;
  const custom = block?.driver;
  if (!block || typeof block !== "object" || (!BUILT_IN.includes(name) && typeof custom !== "function")) {
    throw new ConfigurationError(
      "E_UNKNOWN_SESSION_DRIVER",
      `config/session.ts: "${name}" is not a session driver (SESSION_DRIVER or DRIVERS.default); the drivers are ${known.join(", ")}. A custom one needs a block in DRIVERS with a driver factory.`,
    );
  }
  checkDriverOptions(drivers);
  const appTimeout = duration(config.TIMEOUT, "TIMEOUT", "seconds") ?? SESSION_DEFAULTS.timeout;
  // The driver's own block wins, as in the seed's config/session.py (redis: `timeout: 60 * 60`).
  const timeout = duration(block.timeout, `DRIVERS.${name}.timeout`, "seconds") ?? appTimeout;
  const lifetime = config.LIFETIME === false ? undefined : (duration(config.LIFETIME, "LIFETIME", "seconds") ?? SESSION_DEFAULTS.lifetime);
  const cookieName = config.COOKIE?.name ?? SESSION_DEFAULTS.cookieName;
  const ownerKey = config.OWNER_KEY ?? SESSION_DEFAULTS.ownerKey;
  if (typeof ownerKey !== "string" || ownerKey === "" || isReserved(ownerKey)) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: OWNER_KEY must be the session key the app signs users in with (e.g. "user_id"), a non-empty string not starting with "${RESERVED_PREFIX}", got ${JSON.stringify(ownerKey)}.`);
  }
  const cookie: CookieOptions = {
    path: "/",
    domain: config.COOKIE?.domain,
    httpOnly: true,
    sameSite: config.COOKIE?.sameSite ?? "lax",
    secure: config.COOKIE?.secure ?? app.appUrl.startsWith("https:"),
  };
  if (cookie.sameSite === "none" && !cookie.secure) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", 'config/session.ts: COOKIE.sameSite "none" needs COOKIE.secure (browsers drop a SameSite=None cookie that is not Secure, and every form would then get 419): set secure: true and serve over https.');
  }
  if (app.environment === "production" && !cookie.secure) {
    app.logger.warn(
      `In production the session cookie is sent without Secure (APP_URL is ${app.appUrl}${config.COOKIE?.secure === false ? " and COOKIE.secure is false" : ""}), so it can travel in clear over plain HTTP: set APP_URL to the https:// address visitors use (also behind a proxy that terminates TLS), or COOKIE.secure: true in config/session.ts.`,
    );
  }
  if (!["lax", "strict", "none"].includes(cookie.sameSite)) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: COOKIE.sameSite must be "lax", "strict" or "none", got ${JSON.stringify(cookie.sameSite)}.`);
  }
  if (!/^[!#$%&'*+.^_\`|~0-9A-Za-z-]+$/.test(cookieName)) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: COOKIE.name ${JSON.stringify(cookieName)} is not a valid cookie name: use letters, digits and -_.`);
  }
  const maxSize = positiveWhole(block.maxSize, `DRIVERS.${name}.maxSize`, "bytes");
  const schema = sessionSchema(config.SCHEMA);
  let store: SessionStore;
  let sizeLimit: SizeLimit;
  if (name === "cookie" && typeof custom !== "function") {
    const cookieStore = new CookieStore({ name: cookieName, key: app.key, previousKeys: app.previousKeys, maxSize: maxSize ?? SESSION_DEFAULTS.cookieMaxSize, logger: app.logger });
    store = cookieStore;
    sizeLimit = cookieStore.sizeLimit;
  } else {
    const factory = typeof custom === "function" ? (custom as StoreFactory) : SERVER_STORES[name]!;
    store = await factory(block, { root: app.root, timeout, key: app.key, environment: app.environment, logger: app.logger });
    const bytes = maxSize ?? SESSION_DEFAULTS.serverMaxSize;
    sizeLimit = { bytes, advice: `Store less in the session, or raise DRIVERS.${name}.maxSize (${bytes} bytes) in config/session.ts.` };
  }
  return new SessionManager(store, {
    cookieName,
    driver: name,
    cookie,
    timeout,
    lifetime,
    ownerKey,
    logger: app.logger,
    session: { sizeLimit, dontFlash: fieldMatcher(config.DONT_FLASH ?? DEFAULT_DONT_FLASH), logger: app.logger, schema },
  });
}

/** Parses "host:port,host:port" (REDIS_SENTINELS, REDIS_CLUSTER) into ioredis node addresses. */
export function redisNodes(list: string, defaultPort = 6379): { host: string; port: number }[] {
  return list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const at = item.lastIndexOf(":");
      const host = at > 0 ? item.slice(0, at) : item;
      const port = at > 0 ? Number(item.slice(at + 1)) : defaultPort;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: "${item}" is not a host:port address.`);
      }
      return { host: host.replace(/^\[|\]$/g, ""), port };
    });
}
