import { env } from "masonite/core";
import { DEFAULT_DONT_FLASH, defineDrivers, redisNodes } from "masonite/sessions";

/** Redis Sentinel: the sentinels' addresses, `host:port,host:port`, and the master group they watch. */
const SENTINELS = redisNodes(env("REDIS_SENTINELS", ""), 26379);
/** Redis Cluster: seed nodes, `host:port,host:port` (a cluster has only database 0). */
const CLUSTER = redisNodes(env("REDIS_CLUSTER", ""));

/**
 * Where sessions live. "cookie" (default) needs no server: the session is sealed with
 * AES-256-GCM into the visitor's cookies. "redis", "database", "file" and "memory" keep it on the server;
 * the browser holds only a random id.
 */
export const DRIVERS = defineDrivers({
  default: env("SESSION_DRIVER", "cookie"),
  cookie: {
    maxSize: 6 * 1024, // bytes of cookies; common servers refuse a Cookie header over 8 KB
  },
  redis: {
    url: env("REDIS_URL", ""), // takes precedence over host/port/password when set
    host: env("REDIS_HOST", "127.0.0.1"),
    port: Number(env("REDIS_PORT", "6379")),
    password: env("REDIS_PASSWORD", ""),
    // Passed through to ioredis as-is (db, username, tls ...); with sentinels, host/port/url are unused.
    options: CLUSTER.length
      ? {}
      : { db: Number(env("REDIS_DB", "1")), ...(SENTINELS.length ? { sentinels: SENTINELS, name: env("REDIS_SENTINEL_NAME", "mymaster") } : {}) },
    cluster: CLUSTER.length ? CLUSTER : undefined, // seed nodes: the store then uses ioredis's Cluster
    maxSize: 256 * 1024, // bytes of data one session may hold
    timeout: 60 * 60, // seconds without activity before a redis session ends (TIMEOUT below is the other drivers')
    namespace: env("SESSION_NAMESPACE", "masonite4"),
    commandTimeout: Number(env("REDIS_COMMAND_TIMEOUT", "2000")), // ms a request waits for Redis before it answers 503
  },
  file: {
    // One file per session, shared by the workers of one machine; tests get a folder of their own (tests/support/env.ts).
    directory: env("SESSION_DIRECTORY", "storage/framework/sessions"),
  },
  memory: {}, // one process only, gone at restart: for tests and quick experiments
  database: {
    // The scheme picks the server: postgres://user:pass@host:5432/db, mysql:// (MariaDB too), or sqlite:storage/sessions.db.
    url: env("DATABASE_URL", ""),
    table: env("SESSION_TABLE", "sessions"), // "craft session:table" prints its CREATE statements
    pool: Number(env("DATABASE_POOL", "10")), // connections per process
    statementTimeout: Number(env("DATABASE_STATEMENT_TIMEOUT", "2000")), // ms a request waits for the database before it answers 503
  },
});

/** Seconds without activity after which a session ends, on every driver whose block sets no `timeout` of its own. */
export const TIMEOUT = Number(env("SESSION_TIMEOUT", String(2 * 60 * 60)));
/** Seconds after creation or regenerate() (sign-in) after which a session ends whatever the activity; false for none. */
export const LIFETIME = 12 * 60 * 60;

/** The session cookie; `secure` follows APP_URL (https -> Secure) unless set here. */
export const COOKIE = {
  name: env("SESSION_COOKIE", "masonite_session"),
};

/**
 * Input fields `withInput()` never flashes for `old()`, at any depth: a name (whole,
 * case-insensitive) or a RegExp. The defaults cover passwords, secrets, tokens and card fields.
 */
export const DONT_FLASH = [...DEFAULT_DONT_FLASH];

/**
 * The session key that names who a session belongs to: what the app sets at sign-in
 * (`session.regenerate(); session.set("user_id", user.id)`). SessionRegistry lists and
 * revokes a user's sessions by it, on the server-side drivers.
 */
export const OWNER_KEY = "user_id";

/**
 * Optional runtime check of the keys app/types/session.ts declares: a stored value (perhaps
 * written by an older deploy) is checked the first time its key is read in a request, and one
 * that no longer fits is dropped with a warning naming the key. Keys never read cost nothing.
 *
 *   import { z } from "zod";
 *   export const SCHEMA = defineSchema({ user_id: z.string(), cart: z.array(z.object({ sku: z.string(), qty: z.number() })) });
 */
