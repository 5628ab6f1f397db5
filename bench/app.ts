import type { LogSettings } from "masonite/core";
import type { Kernel } from "masonite/foundation";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Route } from "masonite/routes";
import { Session, type RedisDriverConfig } from "masonite/sessions";
import { View } from "masonite/views";
import { kernel } from "../app/Kernel";

/** Redis keys of the bench's framework sessions start with this (`<namespace>:session:<id>`). */
export const BENCH_NAMESPACE = "masonite-bench";
/** The database driver's table in the bench's databases, made with `craft session:table`'s statements. */
export const BENCH_SESSION_TABLE = "sessions";

/**
 * Bench-only routes. Each goes through the whole app path a real route takes: the router,
 * the "web" middleware group (SessionMiddleware, VerifyCsrfToken), a child container per
 * request and an `@inject()` method receiving the Session by type.
 */
export class BenchController extends Controller {
  /** Scenario 13: the api route's JSON, through the web group, for a visitor with no session: nothing to store. */
  status() {
    return { status: "ok" };
  }

  /** (A) and (B): a route with a parameter and a query string, nothing stored. */
  @inject()
  user(request: Request, id: string) {
    return { id, q: request.input("q") ?? null };
  }

  /** Scenarios 4 and 5: read and write the session. */
  @inject()
  counter(session: Session) {
    return { counter: session.increment("counter") };
  }

  /** Scenario 7: read the session, change nothing. */
  @inject()
  read(session: Session) {
    return { counter: session.get<number>("counter", 0) };
  }

  /** Scenario 6: the app's real contact page (session(), errors, old(), csrf_field()) after a flash. */
  @inject()
  page(view: View, session: Session) {
    session.increment("counter");
    return view.render("contact");
  }

  /** Scenario 9's sign-in: what an app's login does, so the session joins its owner's index. */
  @inject()
  signIn(session: Session) {
    session.regenerate();
    session.set("user_id", "bench-user");
    return { signedIn: true };
  }

  /** Cost growth: pads the session to `bytes` of data, or fills it with `keys` keys. */
  @inject()
  seed(request: Request, session: Session) {
    const bytes = Number(request.input("bytes", "0"));
    const keys = Number(request.input("keys", "0"));
    if (bytes > 0) session.set("pad", "x".repeat(bytes));
    for (let i = 0; i < keys - 1; i++) session.set(`k${i}`, `value-${i}`);
    return { counter: session.increment("counter") };
  }
}

export const BENCH_ROUTES = [
  Route.get("/bench/status", [BenchController, "status"]),
  Route.get("/bench/counter", [BenchController, "counter"]),
  Route.get("/bench/read", [BenchController, "read"]),
  Route.get("/bench/page", [BenchController, "page"]),
  Route.get("/bench/seed", [BenchController, "seed"]),
  Route.get("/bench/sign-in", [BenchController, "signIn"]),
  Route.get("/bench/users/@id", [BenchController, "user"]),
];

/** Served under /api through the "api" group, as routes/api.ts is: (A), the same route shape as the web group's (B). */
export const BENCH_API_ROUTES = [Route.get("/bench/users/@id", [BenchController, "user"])];

/** Where the bench's servers keep what they keep, and config/logging.ts's settings overridden. */
export interface BenchKernelOptions {
  redisUrl?: string;
  /** The database driver's DATABASE_URL. */
  databaseUrl?: string;
  fileDirectory?: string;
  logging?: Partial<LogSettings>;
}

/** The app's real Kernel (app/Kernel.ts), with the session driver chosen and the bench routes added. */
export function benchKernel(driver: "cookie" | "redis" | "file" | "database", options: BenchKernelOptions = {}): Kernel {
  const { DRIVERS } = kernel.config.session;
  const file = { ...DRIVERS.file, directory: options.fileDirectory ?? DRIVERS.file.directory };
  const redis: RedisDriverConfig = { ...DRIVERS.redis, url: options.redisUrl, options: { db: 0 }, namespace: BENCH_NAMESPACE };
  const database = { ...DRIVERS.database, url: options.databaseUrl, table: BENCH_SESSION_TABLE };
  return {
    ...kernel,
    config: { ...kernel.config, logging: { ...kernel.config.logging, ...options.logging }, session: { ...kernel.config.session, DRIVERS: { ...DRIVERS, default: driver, redis, file, database } } },
    routes: [...kernel.routes, ...Route.group(BENCH_ROUTES, { middleware: ["web"] }), ...Route.group(BENCH_API_ROUTES, { middleware: ["api"], prefix: "/api" })],
  };
}
