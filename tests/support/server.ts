// The app with test-only routes, run as a separate process by the reliability tests:
//   node -r masonite/register tests/support/server.ts serve --port N [--workers N]
// It is craft.ts with two more route lists: the same command line, config/*.ts read from
// the environment (SESSION_DRIVER, REDIS_*, ...), the same signals and shutdown.
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
    return { ...kernel, routes: [...kernel.routes, ...Route.group([...LAB_ROUTES, ...RELIABILITY_ROUTES], { middleware: ["web"] })] };
  },
});
