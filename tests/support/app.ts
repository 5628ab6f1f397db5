import "./env";
import type { Kernel } from "masonite/foundation";
import type { RedisDriverConfig } from "masonite/sessions";
import { Route } from "masonite/routes";
import { TestClient } from "masonite/testing";
import { kernel } from "../../app/Kernel";
import { FIXTURE_TEMPLATES, FLASH_ROUTES } from "./flash-probes";
import { LAB_ROUTES } from "./lab";

export type DriverName = "cookie" | "redis";

export interface TestAppOptions {
  driver?: DriverName;
  /** Redis URL for the redis driver. */
  redisUrl?: string;
  /** Overrides merged into the driver's config block. */
  driverConfig?: Record<string, unknown>;
  /** Overrides merged into config/app.ts values. */
  app?: Partial<Kernel["config"]["app"]>;
  /** Session cookie name (config/session.ts COOKIE.name). */
  cookieName?: string;
  /** Extra routes, in the "web" group (the session lab is always there). */
  routes?: Kernel["routes"];
}

/** The skeleton's real Kernel with the driver and settings a test asks for. */
export function testKernel(options: TestAppOptions = {}): Kernel {
  const { DRIVERS } = kernel.config.session;
  const driver = options.driver ?? "cookie";
  const redis: RedisDriverConfig = { ...DRIVERS.redis, url: options.redisUrl, options: { db: 0 } };
  const drivers = { ...DRIVERS, default: driver, redis };
  drivers[driver] = { ...(drivers[driver] as object), ...options.driverConfig };
  return {
    ...kernel,
    config: { ...kernel.config, app: { ...kernel.config.app, ...options.app }, session: { ...kernel.config.session, DRIVERS: drivers, COOKIE: { ...kernel.config.session.COOKIE, name: options.cookieName ?? kernel.config.session.COOKIE?.name } } },
    routes: [...kernel.routes, ...Route.group([...LAB_ROUTES, ...FLASH_ROUTES, ...(options.routes ?? [])], { middleware: ["web"] })],
    templates: [FIXTURE_TEMPLATES],
  };
}

export function startApp(options: TestAppOptions = {}): Promise<TestClient> {
  return TestClient.start(testKernel(options));
}
