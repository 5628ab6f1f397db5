import type { ClusterOptions, RedisOptions } from "ioredis";
import { ConfigurationError } from "../core/errors";
import type { Logger } from "../core/logger";
import type { CookieOptions } from "./cookies";
import { DEFAULT_DONT_FLASH, fieldMatcher, type FieldPattern } from "./oldInput";
import type { SessionOptions } from "./Session";
import { CookieDriver } from "./drivers/cookie";
import { RedisDriver } from "./drivers/redis";
import type { SessionDriver } from "./SessionDriver";

interface Lifetimes {
  /** Seconds of inactivity after which a session ends (default 2 hours). */
  timeout?: number;
  /**
   * Seconds after creation after which a session ends whatever the activity (default 12
   * hours); `false` for none. It bounds how long a stolen cookie stays usable.
   */
  lifetime?: number | false;
}

export interface CookieDriverConfig extends Lifetimes {
  /**
   * Most bytes the session's cookies may take in the browser's Cookie header, every chunk's
   * name=value counted (default 6 KB: servers and proxies commonly refuse a Cookie header
   * over 8 KB, and the app's other cookies need room too).
   */
  maxSize?: number;
}

export interface RedisDriverConfig extends Lifetimes {
  /** Most bytes of data (as JSON) one session may hold in Redis (default 256 KB). */
  maxSize?: number;
  url?: string;
  host?: string;
  port?: number;
  password?: string;
  /**
   * ioredis options, passed as they are (db, username, tls ...). For Redis Sentinel:
   * `{ sentinels: [{ host, port }, ...], name: "mymaster" }`; host/port/url are then unused.
   */
  options?: RedisOptions;
  /** Redis Cluster seed nodes, `[{ host, port }, ...]`: the driver then uses ioredis's Cluster (database 0 only). */
  cluster?: { host: string; port: number }[];
  /** More ioredis ClusterOptions (natMap, slotsRefreshTimeout ...) when `cluster` is set. */
  clusterOptions?: ClusterOptions;
  namespace?: string;
  /** Milliseconds to wait for Redis before answering 503 (default 2000). */
  commandTimeout?: number;
}

/** What every driver factory gets: its own config block plus the app-wide facts it may need. */
export interface DriverContext {
  name: string;
  cookie: CookieOptions;
  key: string;
  previousKeys: readonly string[];
  logger: Logger;
}

/** A custom driver: one file exporting a factory, named in `config/session.ts` as `{ driver: factory, ... }`. */
export type DriverFactory = (config: Record<string, unknown>, context: DriverContext) => SessionDriver;

export interface SessionConfig {
  DRIVERS: {
    default: string;
    cookie?: CookieDriverConfig;
    redis?: RedisDriverConfig;
    [driver: string]: unknown;
  };
  /** Session cookie settings; `secure` defaults to true when the app URL is https. */
  COOKIE?: { name?: string; secure?: boolean; sameSite?: "lax" | "strict" | "none"; domain?: string };
  /** Input fields `withInput()` never flashes, at any depth (default DEFAULT_DONT_FLASH). */
  DONT_FLASH?: readonly FieldPattern[];
}

const DEFAULT_TIMEOUT = 2 * 60 * 60;
/** A working day and then some: a session (or a copy of its cookie) is not good for longer. */
const DEFAULT_LIFETIME = 12 * 60 * 60;
const DEFAULT_COOKIE_MAX_SIZE = 6 * 1024;
const DEFAULT_REDIS_MAX_SIZE = 256 * 1024;

/** A duration setting: undefined (use the default) or a positive finite number of `unit`. */
function duration(value: unknown, what: string, unit: "seconds" | "milliseconds"): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${what} must be a positive number of ${unit}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** The absolute lifetime: the default, a positive number of seconds, or none (`false`). */
function lifetime(value: unknown, what: string): number | undefined {
  return value === false ? undefined : (duration(value, what, "seconds") ?? DEFAULT_LIFETIME);
}

function byteSize(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${what} must be a positive whole number of bytes, got ${JSON.stringify(value)}.`);
  }
  return value as number;
}

const BUILT_IN: Record<string, DriverFactory> = {
  cookie: (config, context) => {
    const c = config as CookieDriverConfig;
    return new CookieDriver({
      ...context,
      timeout: duration(c.timeout, "DRIVERS.cookie.timeout", "seconds") ?? DEFAULT_TIMEOUT,
      lifetime: lifetime(c.lifetime, "DRIVERS.cookie.lifetime"),
      maxSize: byteSize(c.maxSize, "DRIVERS.cookie.maxSize") ?? DEFAULT_COOKIE_MAX_SIZE,
    });
  },
  redis: (config, context) => {
    const c = config as RedisDriverConfig;
    if (!c.url && !c.host && !c.cluster?.length && !c.options?.sentinels?.length) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", "config/session.ts: DRIVERS.redis needs a host (and port), a url, options.sentinels (with options.name) or cluster nodes.");
    }
    if (c.options?.sentinels?.length && !c.options.name) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", 'config/session.ts: DRIVERS.redis.options.sentinels needs options.name, the master group the sentinels monitor (e.g. "mymaster").');
    }
    return new RedisDriver({
      ...context,
      url: c.url || undefined,
      host: c.host ?? "127.0.0.1",
      port: c.port ?? 6379,
      password: c.password,
      options: c.options ?? {},
      cluster: c.cluster?.length ? c.cluster : undefined,
      clusterOptions: c.clusterOptions,
      timeout: duration(c.timeout, "DRIVERS.redis.timeout", "seconds") ?? DEFAULT_TIMEOUT,
      lifetime: lifetime(c.lifetime, "DRIVERS.redis.lifetime"),
      maxSize: byteSize(c.maxSize, "DRIVERS.redis.maxSize") ?? DEFAULT_REDIS_MAX_SIZE,
      namespace: c.namespace ?? "masonite",
      commandTimeout: duration(c.commandTimeout, "DRIVERS.redis.commandTimeout", "milliseconds") ?? 2000,
    });
  },
};

/** Builds the configured driver, or says exactly what in config/session.ts is wrong. */
export function createDriver(config: SessionConfig, context: Omit<DriverContext, "name" | "cookie">, appUrl: string): SessionDriver {
  const drivers = config.DRIVERS;
  const name = drivers?.default;
  if (typeof name !== "string" || !name) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", 'config/session.ts: DRIVERS.default must name a driver ("cookie" or "redis").');
  }
  const block = drivers[name];
  if (!block || typeof block !== "object") {
    throw new ConfigurationError(
      "E_UNKNOWN_SESSION_DRIVER",
      `config/session.ts: the session driver "${name}" has no block in DRIVERS (known: ${Object.keys(drivers).filter((k) => k !== "default").join(", ")}).`,
    );
  }
  const custom = (block as { driver?: unknown }).driver;
  const factory = typeof custom === "function" ? (custom as DriverFactory) : BUILT_IN[name];
  if (!factory) {
    throw new ConfigurationError("E_UNKNOWN_SESSION_DRIVER", `config/session.ts: "${name}" is not a built-in driver (cookie, redis); give its block a driver factory.`);
  }
  const cookie = config.COOKIE ?? {};
  return factory(block as Record<string, unknown>, {
    ...context,
    name: cookie.name ?? "masonite_session",
    cookie: {
      path: "/",
      domain: cookie.domain,
      httpOnly: true,
      sameSite: cookie.sameSite ?? "lax",
      secure: cookie.secure ?? appUrl.startsWith("https:"),
    },
  });
}

/** What every request's Session is made with: the store's size limit and the input never flashed. */
export function sessionOptions(config: SessionConfig, driver: SessionDriver, logger: Logger): SessionOptions {
  return { sizeLimit: driver.sizeLimit, dontFlash: fieldMatcher(config.DONT_FLASH ?? DEFAULT_DONT_FLASH), logger };
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
