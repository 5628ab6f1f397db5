import "./env";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LogSettings } from "masonite/core";
import type { Kernel } from "masonite/foundation";
import { Route } from "masonite/routes";
import type { SessionConfig, SessionDrivers } from "masonite/sessions";
import { TestClient } from "masonite/testing";
import { kernel } from "../../app/Kernel";
import type { SqlDialectName } from "masonite/sessions/stores";
import { createDatabase, type TestDatabase } from "./database";
import { FIXTURE_TEMPLATES, FLASH_ROUTES } from "./flash-probes";
import { LAB_ROUTES } from "./lab";
import { RedisServer } from "./redis";
import type { Skippable } from "./skip";
import { REGISTRY_ROUTES } from "./registry-probes";

export type DriverName = "cookie" | "redis" | "file" | "memory" | "database";

export interface TestAppOptions {
  driver?: DriverName;
  /** Redis URL for the redis driver. */
  redisUrl?: string;
  /** Overrides merged into the driver's config block. */
  driverConfig?: Record<string, unknown>;
  /** Overrides of config/session.ts's other exports (TIMEOUT, LIFETIME ...). */
  session?: Partial<Omit<SessionConfig, "DRIVERS">>;
  /** Overrides merged into config/app.ts values. */
  app?: Partial<Kernel["config"]["app"]>;
  /** Session cookie name (config/session.ts COOKIE.name). */
  cookieName?: string;
  /** Overrides of config/logging.ts. */
  logging?: Partial<LogSettings>;
  /** Extra routes, in the "web" group (the session lab is always there). */
  routes?: Kernel["routes"];
}

/** A Kernel whose session block is typed, so tests can change it. */
export type TestKernel = Kernel & { config: { session: SessionConfig } };

/** The skeleton's real Kernel with the driver and settings a test asks for. */
export function testKernel(options: TestAppOptions = {}): TestKernel {
  const { DRIVERS, COOKIE } = kernel.config.session;
  const driver = options.driver ?? "cookie";
  const drivers: SessionDrivers = { ...DRIVERS, default: driver, redis: { ...DRIVERS.redis, url: options.redisUrl, options: { db: 0 } } };
  drivers[driver] = { ...(drivers[driver] as object), ...options.driverConfig };
  const session: SessionConfig = { ...kernel.config.session, ...options.session, DRIVERS: drivers, COOKIE: { ...COOKIE, name: options.cookieName ?? COOKIE.name } };
  return {
    ...kernel,
    config: { ...kernel.config, app: { ...kernel.config.app, ...options.app }, logging: { ...kernel.config.logging, ...options.logging }, session },
    routes: [...kernel.routes, ...Route.group([...LAB_ROUTES, ...FLASH_ROUTES, ...REGISTRY_ROUTES, ...(options.routes ?? [])], { middleware: ["web"] })],
    templates: [FIXTURE_TEMPLATES],
  };
}

export function startApp(options: TestAppOptions = {}): Promise<TestClient> {
  return TestClient.start(testKernel(options));
}

/** A folder for the file session store that lives as long as this test process, outside the repository. */
export function sessionFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), "masonite-sessions-"));
  process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** An app on one driver for a table of tests, and what stopping it takes. */
export interface DriverApp {
  app: TestClient;
  /** The app's own redis-server, on the redis driver. */
  redis?: RedisServer;
  /** The app's own database, on the database driver. */
  database?: TestDatabase;
  close(): Promise<void>;
}

/** A driver for a table of tests, the database driver named with its dialect ("database:sqlite"). */
export type DriverSetup = Exclude<DriverName, "database"> | `database:${SqlDialectName}`;

/**
 * The app on `setup`: "redis" gets a redis-server of its own, "file" a folder of its own, the
 * database driver a database of its own (made and dropped here). Undefined when the service is
 * not there (said loudly, and a failure under REQUIRE_REDIS / REQUIRE_DATABASE).
 */
export async function startAppOn(setup: DriverSetup, t: Skippable): Promise<DriverApp | undefined> {
  const [driver, dialect] = setup.split(":") as [DriverName, SqlDialectName | undefined];
  const redis = driver === "redis" ? await RedisServer.startOrSkip(t) : undefined;
  if (driver === "redis" && !redis) return undefined;
  const database = dialect ? await createDatabase(dialect, t) : undefined;
  if (dialect && !database) return undefined;
  const stop = async () => {
    await redis?.stop();
    await database?.drop();
  };
  let app: TestClient;
  try {
    app = await startApp({ driver, redisUrl: redis?.url, driverConfig: driver === "file" ? { directory: sessionFolder() } : database ? { url: database.url } : undefined });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    app,
    redis,
    database,
    async close() {
      await app.close();
      await stop();
    },
  };
}
