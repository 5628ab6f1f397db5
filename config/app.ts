import { appEnvironment, env, proxyHops } from "masonite/core";

/** The app's name, shown in page titles. */
export const NAME = env("APP_NAME", "Masonite");
/**
 * "development" re-reads templates and may generate a key; "production" demands a real one;
 * "testing" is what the tests run under. APP_ENV, read case-insensitively (any other value stops
 * start-up); without it NODE_ENV ("test" is testing), else development.
 */
export const ENV = appEnvironment();
/** Error pages with stack traces. Never true in production: start-up refuses that. */
export const DEBUG = env("APP_DEBUG", ENV === "development" ? "true" : "false") === "true";
export const URL = env("APP_URL", "http://localhost:8000");
/** Seals session cookies. Generate with `npm run craft -- key --store`. */
export const KEY = env("APP_KEY", "");
/** Comma-separated keys that were KEY before: cookies sealed under them are still read. */
export const PREVIOUS_KEYS = env("APP_PREVIOUS_KEYS", "").split(",").map((key) => key.trim()).filter(Boolean);
/**
 * How many reverse proxies of yours stand in front of the app (0: none). With 1 (one nginx) the
 * client's IP is the last X-Forwarded-For entry, and X-Forwarded-Proto/-Host are believed; "true"
 * is refused, since it would believe the entry a client writes itself.
 */
export const TRUST_PROXY = proxyHops(env("TRUST_PROXY", "0"));
/** Largest JSON or form body accepted; also the most a multipart form's fields may take together. */
export const BODY_LIMIT = env("BODY_LIMIT", "1mb");
/** The shape of input accepted: nesting depth, entries in one object or array, entries in all. Over them is a 400. */
export const INPUT_LIMITS = { depth: 32, keys: 1_000, total: 10_000 };
/** multipart/form-data file uploads: the largest file and the most files per request (over them is a 413). Files go to a temporary folder and are deleted once the response is sent. */
export const UPLOADS = { fileSize: env("UPLOAD_LIMIT", "10mb"), files: Number(env("UPLOAD_FILES", "10")) };
/**
 * The HTTP server's limits, in milliseconds: a client has requestTimeout to send a whole request
 * (an upload included; past it a 408 and the connection closes) and headersTimeout for its
 * headers; an idle keep-alive connection closes after keepAliveTimeout; connections past
 * maxConnections are closed as they arrive. Start-up refuses a value that is not a whole number
 * from 1, and a headersTimeout over requestTimeout. Raise requestTimeout for large uploads on slow links.
 * The values here are the framework's defaults (DEFAULT_SERVER in masonite/foundation), used for any key left out.
 */
export const SERVER = { requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 5_000, maxConnections: 10_000 };
