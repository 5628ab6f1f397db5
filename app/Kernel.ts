import path from "node:path";
import type { Kernel } from "masonite/foundation";
import { SessionMiddleware, SessionProvider } from "masonite/sessions";
import * as app from "../config/app";
import * as security from "../config/security";
import * as session from "../config/session";
import { ROUTES } from "../routes/web";
import { VerifyCsrfToken } from "./middleware/VerifyCsrfToken";
import { AppProvider } from "./providers/AppProvider";

/** Everything the framework gets from this app: config, routes, providers and middleware. */
export const kernel = {
  root: path.resolve(__dirname, ".."),
  config: { app, session, security },
  routes: ROUTES,
  providers: [SessionProvider, AppProvider],
  middlewareGroups: {
    web: [SessionMiddleware, VerifyCsrfToken],
  },
  routeMiddleware: {},
} satisfies Kernel;
