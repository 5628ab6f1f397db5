import { ConfigurationError } from "../core/errors";
import type { Environment } from "../core/environment";
import type { Logger } from "../core/logger";
import { SESSION_DEFAULTS, type SessionConfig, type StoreFactory } from "./config";
import { checkDriverOptions, duration, positiveWhole, sessionSchema } from "./configChecks";
import type { CookieOptions } from "./cookies";
import { BUILT_IN_DRIVERS, type BuiltStore } from "./drivers";
import { isReserved, RESERVED_PREFIX } from "./keys";
import { DEFAULT_DONT_FLASH, fieldMatcher } from "./oldInput";
import { SessionManager } from "./SessionManager";

const BUILT_IN = Object.keys(BUILT_IN_DRIVERS);
const OPTIONS_BY_DRIVER = Object.fromEntries(BUILT_IN.map((name) => [name, BUILT_IN_DRIVERS[name]!.options]));

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
  checkDriverOptions(drivers, OPTIONS_BY_DRIVER);
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
  const context = { root: app.root, timeout, key: app.key, environment: app.environment, logger: app.logger };
  let built: BuiltStore;
  if (typeof custom === "function") {
    built = { store: await (custom as StoreFactory)(block, context) };
  } else {
    built = await BUILT_IN_DRIVERS[name]!.create(block, { ...context, cookieName, previousKeys: app.previousKeys, maxSize });
  }
  const { store } = built;
  const bytes = maxSize ?? SESSION_DEFAULTS.serverMaxSize;
  const sizeLimit = built.sizeLimit ?? { bytes, advice: `Store less in the session, or raise DRIVERS.${name}.maxSize (${bytes} bytes) in config/session.ts.` };
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

