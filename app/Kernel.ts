import path from "node:path";
import type { Kernel } from "masonite/foundation";
import { Route } from "masonite/routes";
import { SessionMiddleware, SessionProvider } from "masonite/sessions";
import * as app from "../config/app";
import * as logging from "../config/logging";
import * as security from "../config/security";
import * as session from "../config/session";
import { ROUTES as API_ROUTES } from "../routes/api";
import { ROUTES as WEB_ROUTES } from "../routes/web";
import { VerifyCsrfToken } from "./middleware/VerifyCsrfToken";
import { AppProvider } from "./providers/AppProvider";

/** Everything the framework gets from this app: config, routes, providers and middleware. */
export const kernel = {
  root: path.resolve(__dirname, ".."),
  config: { app, logging, session, security },
  routes: [
    ...Route.group(WEB_ROUTES, { middleware: ["web"] }),
    ...Route.group(API_ROUTES, { middleware: ["api"], prefix: "/api" }),
  ],
  providers: [SessionProvider, AppProvider],
  middlewareGroups: {
    // Pages and forms: a session, CSRF-checked posts, HTML error pages.
    web: [SessionMiddleware, VerifyCsrfToken],
    // A JSON API: no session or cookies, so no CSRF token to check, and every error as JSON.
    api: { middleware: [], errors: "json" },
  },
  routeMiddleware: {},
} satisfies Kernel;
