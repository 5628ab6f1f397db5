import { appEnvironment, env, logDefaults, type LogLevel } from "masonite/core";

const DEFAULTS = logDefaults(appEnvironment());

/** The least severe level written: trace, debug, info, warn, error, fatal or silent. */
export const LEVEL = env("LOG_LEVEL", DEFAULTS.LEVEL) as LogLevel;
/** Readable lines while developing; in production one JSON object per line, for a log shipper. */
export const PRETTY = env("LOG_PRETTY", String(DEFAULTS.PRETTY)) === "true";
/** One line per request (method, path, status, duration): on in development; in production set LOG_REQUESTS=true. */
export const REQUESTS = env("LOG_REQUESTS", String(DEFAULTS.REQUESTS)) === "true";
/**
 * Fields replaced with "[Redacted]" on top of the framework's own list (cookies, the
 * Authorization header, passwords, secrets, tokens, API keys), in pino's path syntax.
 */
export const REDACT: string[] = [];
