// The app with test-only routes, run as a separate process by the reliability tests:
//   node -r masonite/register tests/support/server.ts serve --port N [--workers N]
// It is craft.ts with two more route lists: the same command line, config/*.ts read from
// the environment (SESSION_DRIVER, REDIS_*, ...), the same signals and shutdown.
// TEST_SESSION_DIRECTORY, when set, is the file driver's folder (a test's own, outside the repository).
import path from "node:path";
import { runCraft } from "masonite/commands";
import type { Kernel } from "masonite/foundation";
import { Route } from "masonite/routes";
import { LAB_ROUTES } from "./lab";
import { RELIABILITY_ROUTES } from "./reliability-probes";

void runCraft({
  root: path.resolve(__dirname, "..", ".."),
  kernel: async () => {
    const { kernel } = require("../../app/Kernel") as { kernel: Kernel };
    const directory = process.env.TEST_SESSION_DIRECTORY;
    const session = kernel.config.session as { DRIVERS: Record<string, unknown> };
    const config = directory ? { ...kernel.config, session: { ...session, DRIVERS: { ...session.DRIVERS, file: { ...(session.DRIVERS.file as object), directory } } } } : kernel.config;
    return { ...kernel, config, routes: [...kernel.routes, ...Route.group([...LAB_ROUTES, ...RELIABILITY_ROUTES], { middleware: ["web"] })] };
  },
});
