import { env } from "masonite/foundation";

/**
 * Where sessions live. "cookie" (default) needs no server: the session is sealed with
 * AES-256-GCM into the visitor's cookies. "redis" keeps it in Redis; the browser holds
 * only a random id.
 */
export const DRIVERS = {
  default: env("SESSION_DRIVER", "cookie"),
  cookie: {
    timeout: Number(env("SESSION_TIMEOUT", String(2 * 60 * 60))), // seconds without activity
  },
  redis: {
    url: env("REDIS_URL", ""), // takes precedence over host/port/password when set
    host: env("REDIS_HOST", "127.0.0.1"),
    port: Number(env("REDIS_PORT", "6379")),
    password: env("REDIS_PASSWORD", ""),
    options: { db: Number(env("REDIS_DB", "1")) }, // passed through to ioredis as-is (db, tls, sentinels ...)
    timeout: 60 * 60, // seconds a session lives without activity
    namespace: env("SESSION_NAMESPACE", "masonite4"),
  },
};

/** The session cookie; `secure` follows APP_URL (https -> Secure) unless set here. */
export const COOKIE = {
  name: env("SESSION_COOKIE", "masonite_session"),
};
