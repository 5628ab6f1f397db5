import type { LogSettings } from "../core/logger";
import type { UploadSettings } from "../request/body";
import type { InputLimitSettings } from "../request/InputLimits";
import type { SecurityHeaderOptions } from "../security/headers";
import type { ServerSettings } from "./server";

/** `config/app.ts`: what every deployment sets through the environment. */
export interface AppSettings {
  NAME: string;
  /** "development", "production" or "testing", in any case; start-up refuses other values. */
  ENV: string;
  /** Shows errors and stacks on the 500 page; never true in production. */
  DEBUG: boolean;
  URL: string;
  KEY: string;
  /** Old keys, still accepted for reading sealed cookies while keys rotate. */
  PREVIOUS_KEYS?: readonly string[];
  /**
   * How many reverse proxies of the app's own append to X-Forwarded-For (default 0: none, and
   * X-Forwarded-* are ignored). With N, the client's IP is the Nth entry from the right and
   * X-Forwarded-Proto/-Host are believed. `true` is refused (E_BAD_TRUST_PROXY).
   */
  TRUST_PROXY?: number;
  /** Largest JSON or form body accepted, e.g. "1mb"; also the most a multipart form's fields may take together. */
  BODY_LIMIT?: string;
  /** Nesting depth and entry counts accepted in JSON, form and multipart input (32 levels, 1,000 per object or array, 10,000 in all). */
  INPUT_LIMITS?: Partial<InputLimitSettings>;
  /** multipart/form-data uploads: the largest file ("10mb"), the most files (10), the app's private folder (one made in os.tmpdir()). */
  UPLOADS?: Partial<UploadSettings>;
  /** The HTTP server's limits, in milliseconds and connections: requestTimeout (60 s), headersTimeout (20 s), keepAliveTimeout (5 s), maxConnections (10,000). */
  SERVER?: Partial<ServerSettings>;
}

/** `config/security.ts`. */
export interface SecuritySettings {
  /** helmet's options for the headers on every response; without it, `securityHeaderDefaults(URL)`. */
  HEADERS?: SecurityHeaderOptions;
}

/**
 * Everything under `config/`, as the app hands it to the Application. The kernel reads `app`,
 * `security` and `logging`; each plug-in's provider reads its own block (SessionProvider: `session`).
 */
export interface AppConfig {
  app: AppSettings;
  security?: SecuritySettings;
  /** `config/logging.ts`; each setting left out takes its default for the environment. */
  logging?: Partial<LogSettings>;
  [plugin: string]: unknown;
}
