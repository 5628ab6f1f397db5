import path from "node:path";
import { ConfigurationError } from "../core/errors";
import type { CookieDriverConfig, DatabaseDriverConfig, FileDriverConfig, MemoryDriverConfig, RedisDriverConfig, StoreContext } from "./config";
import { SESSION_DEFAULTS } from "./config";
import { duration, positiveWhole } from "./configChecks";
import type { SessionStore, SizeLimit } from "./SessionStore";
import { redisStoreOptions } from "./stores/redisOptions";

/** What a built-in driver is made with besides its block: the StoreContext, and the session cookie's settings. */
export interface DriverContext extends StoreContext {
  cookieName: string;
  previousKeys: readonly string[];
  /** The block's `maxSize`, checked; undefined for the driver's default. */
  maxSize: number | undefined;
}

/** A driver's store, and its size limit when the store sets its own (the cookie store's). */
export interface BuiltStore {
  store: SessionStore;
  sizeLimit?: SizeLimit;
}

interface BuiltInDriver {
  /** Every option its block takes: anything else in it stops start-up. */
  options: readonly string[];
  create(config: Record<string, unknown>, context: DriverContext): Promise<BuiltStore>;
}

/**
 * A driver block's option names, listed once: the compiler checks the list against the block's
 * type, so an option added to the type and not here (or the reverse) does not compile.
 */
function optionsOf<T>(options: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(options);
}

/** A key of a store's own derived from APP_KEY for `purpose`; `why` tells a developer whose APP_KEY is unusable what needs it. */
function derivedKey(appKey: string, purpose: string, why: string): Buffer {
  const { deriveKey, parseKey } = require("../security/keys") as typeof import("../security/keys");
  try {
    return deriveKey(parseKey(appKey), purpose);
  } catch (error) {
    throw new ConfigurationError("E_INVALID_APP_KEY", `APP_KEY is missing or shorter than 32 bytes, and ${why}: generate one with "craft key" and set it in the environment.`, error);
  }
}

/**
 * The built-in drivers, each store's module loaded only when it is chosen (a cookie-only app
 * never loads ioredis). `require`, since the framework runs as CommonJS and import() would look
 * for .js files.
 */
export const BUILT_IN_DRIVERS: Readonly<Record<string, BuiltInDriver>> = {
  cookie: {
    options: optionsOf<CookieDriverConfig>({ maxSize: true, timeout: true }),
    create: async (_config, context) => {
      const { CookieStore } = require("./stores/cookie") as typeof import("./stores/cookie");
      const store = new CookieStore({ name: context.cookieName, key: context.key, previousKeys: context.previousKeys, maxSize: context.maxSize ?? SESSION_DEFAULTS.cookieMaxSize, logger: context.logger });
      return { store, sizeLimit: store.sizeLimit };
    },
  },
  redis: {
    options: optionsOf<RedisDriverConfig>({ url: true, host: true, port: true, password: true, options: true, cluster: true, clusterOptions: true, namespace: true, commandTimeout: true, maxSize: true, timeout: true }),
    create: async (config, context) => {
      const options = redisStoreOptions(config as RedisDriverConfig, context.logger);
      const { RedisStore } = require("./stores/redis") as typeof import("./stores/redis");
      return { store: new RedisStore(options) };
    },
  },
  file: {
    options: optionsOf<FileDriverConfig>({ directory: true, maxSize: true, timeout: true, lockTimeout: true }),
    create: async (config, context) => {
      const c = config as FileDriverConfig;
      const { FileStore } = require("./stores/file") as typeof import("./stores/file");
      const key = derivedKey(context.key, "session-file-names", "the file session store names its files with a key derived from it");
      const store = new FileStore({
        directory: path.resolve(context.root, c.directory ?? SESSION_DEFAULTS.fileDirectory),
        timeout: context.timeout,
        key,
        lockTimeout: duration(c.lockTimeout, "DRIVERS.file.lockTimeout", "milliseconds") ?? SESSION_DEFAULTS.fileLockTimeout,
        logger: context.logger,
      });
      return { store };
    },
  },
  memory: {
    options: optionsOf<MemoryDriverConfig>({ maxSize: true, timeout: true, maxSessions: true }),
    create: async (config, context) => {
      const maxSessions = positiveWhole((config as MemoryDriverConfig).maxSessions, "DRIVERS.memory.maxSessions", "sessions") ?? SESSION_DEFAULTS.memoryMaxSessions;
      if (context.environment === "production") {
        context.logger.warn("The memory session driver is in use in production: sessions live in one process, end at every restart and are not shared between workers; use redis (or file on one machine) in config/session.ts.");
      }
      const { MemoryStore } = require("./stores/memory") as typeof import("./stores/memory");
      return { store: new MemoryStore({ maxSessions, logger: context.logger }) };
    },
  },
  database: {
    options: optionsOf<DatabaseDriverConfig>({ url: true, dialect: true, host: true, port: true, user: true, password: true, database: true, table: true, pool: true, statementTimeout: true, maxSize: true, timeout: true }),
    create: async (config, context) => {
      const { databaseDialect } = require("./stores/databaseOptions") as typeof import("./stores/databaseOptions");
      const { DatabaseStore } = require("./stores/database") as typeof import("./stores/database");
      const why = "the database session store keys its table with a hash derived from it";
      const hashKey = derivedKey(context.key, "session-database-ids", why);
      const sealKey = derivedKey(context.key, "session-database-sealed-ids", why);
      const { dialect, table, statementTimeout } = databaseDialect(config as DatabaseDriverConfig, context.root, context.logger);
      const store = new DatabaseStore({ dialect, table, statementTimeout, hashKey, sealKey, logger: context.logger });
      return { store };
    },
  },
};
