import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Context, Next } from "koa";
import type { Layer, Router } from "@koa/router";
import compose from "koa-compose";
import serveStatic from "koa-static";
import type { DependencyContainer } from "tsyringe";
import { planMethod, RequestScope, resolveArguments } from "../container";
import { attachScope, cannotBuild, scopeOf } from "../container/RequestScope";
import type { Middleware } from "../middleware";
import { bodyPending, readPendingBody, Request } from "../request";
import { Response } from "../response";
import type { RouteDefinition } from "../routes/Route";
import { View } from "../views/View";
import type { ViewFactory } from "../views/ViewFactory";
import { ConfigurationError, FrameworkError } from "../core/errors";
import type { Logger } from "../core/logger";
import { exceptionPage, routeListPage } from "./debugPages";

const TITLES: Record<number, string> = {
  400: "Bad request",
  403: "Forbidden",
  404: "Page not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Request too large",
  419: "Page expired",
  500: "Something went wrong",
  503: "Service unavailable",
};

/** Statuses the router answers with and no body, which get their error page here. */
const UNANSWERED = new Set([404, 405, 501]);

interface HttpError { status?: number; expose?: boolean; message?: string; stack?: string; code?: string; detail?: string }

export interface ErrorPageOptions {
  /** Stack traces and 5xx messages on the page. */
  debug: boolean;
  /** Sets the security headers: on every response before the app runs, and again on an error page. */
  headers: (ctx: Context) => void;
  /** Errors as JSON whatever the client accepts, for a path no route answered (an API group's prefix). */
  jsonErrors: (path: string) => boolean;
  /** The app's routes, listed on the debug 404 page. */
  routes: readonly RouteDefinition[];
}

/** Set by a matched route whose group answers errors in JSON; framework-private, out of `ctx.state`. */
const JSON_ERRORS = Symbol("masonite:jsonErrors");
type RoutedContext = Context & { [JSON_ERRORS]?: boolean };

/**
 * One line per request once its answer is settled, in the outermost middleware: method, path
 * (never the query string, which can carry a reset token or a signed link), status and duration.
 */
export function logRequests(logger: Logger) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const { method, path, status } = ctx;
      logger.info(`${method} ${path} ${status} ${ms} ms`, { request: { method, path, status, ms } });
    }
  };
}

/** The router's silent 404, 405 or 501 as an error with a code and a message that says what would work. */
function unanswered(ctx: Context): FrameworkError {
  const request = `${ctx.method} ${ctx.path}`;
  if (ctx.status === 404) return new FrameworkError("E_ROUTE_NOT_FOUND", `No route matches ${request}.`, { status: 404 });
  const allow = ctx.response.get("Allow");
  if (ctx.status === 405) return new FrameworkError("E_METHOD_NOT_ALLOWED", `${request} is not allowed: this path takes ${allow || "no method"}.`, { status: 405 });
  return new FrameworkError("E_METHOD_NOT_IMPLEMENTED", `${request}: the server does not implement the method ${ctx.method}; ${allow ? `use one of ${allow}` : "use GET, HEAD, POST, PUT, PATCH or DELETE"}.`, { status: 501 });
}

/**
 * Outermost middleware: every failure becomes an error page (or JSON for API clients and
 * API groups) with the right status, 5xx details only in debug mode, and the process keeps serving.
 * In debug mode an HTML 5xx is the exception page (the app's frame and its source) and a 404
 * lists the routes; other 4xx pages are the app's templates, as in production.
 */
export function errorPages(views: ViewFactory, logger: Logger, { debug, headers, jsonErrors, routes }: ErrorPageOptions) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      headers(ctx);
      await next();
      // What the router leaves unanswered: no route (404), or routes for other methods only (405, 501).
      if (ctx.body == null && UNANSWERED.has(ctx.status)) throw unanswered(ctx);
    } catch (raw) {
      const error = (raw ?? {}) as HttpError;
      const status = Number.isInteger(error.status) && error.status! >= 400 && error.status! < 600 ? error.status! : 500;
      // A 503 (a store that is down) is expected to repeat until it is back: its message names
      // the cause, without a stack on every request. Any other 5xx is a bug: the whole error.
      if (status === 503) logger.warn(`${ctx.method} ${ctx.path} -> 503: ${error.message}`, { code: error.code });
      else if (status >= 500) logger.error(`${ctx.method} ${ctx.path} -> ${status}: ${error.message ?? String(raw)}`, { err: raw });
      // A refusal that knows which mistake it was (a 419's missing token) says so in the log, whatever the environment.
      else if (error.detail) logger.warn(`${ctx.method} ${ctx.path} -> ${status}: ${error.detail}`, { code: error.code });
      const shown = debug || (status < 500 && error.expose) ? (error.message ?? "") : "";
      const page = { status, title: TITLES[status] ?? (status < 500 ? "Request refused" : "Server error"), message: shown, detail: debug ? error.detail ?? "" : "", stack: debug ? error.stack ?? "" : "", code: error.code ?? "" };
      // Headers set before the failure (cookies, redirects) belong to the failed attempt; on a
      // 405 or 501, Allow (set by the router) is part of the refusal: the methods that would work.
      const allow = status === 405 || status === 501 ? ctx.response.get("Allow") : "";
      ctx.res.getHeaderNames().forEach((name) => ctx.remove(name));
      if (allow) ctx.set("Allow", allow);
      try {
        headers(ctx);
      } catch (failure) {
        logger.error(`${ctx.method} ${ctx.path}: the security headers could not be set: ${(failure as Error).message}`, { err: failure });
      }
      ctx.status = status;
      // Node knows no reason phrase for Laravel's 419 and would send "unknown".
      if (status === 419) ctx.message = "Page Expired";
      const json = (ctx as RoutedContext)[JSON_ERRORS] ?? jsonErrors(ctx.path);
      if (json || ctx.accepts("html", "json") === "json") {
        // A 4xx code is part of the API (what the client should fix); a 5xx one names the framework's insides.
        const code = debug || status < 500 ? page.code : "";
        ctx.body = { error: { status, title: page.title, message: page.message || page.title, code: code || undefined, detail: page.detail || undefined } };
        return;
      }
      ctx.type = "html";
      // A failing exception page must not hide the original error behind a second one.
      if (debug && status >= 500) ctx.body = await exceptionPage(ctx, raw).catch(() => renderErrorPage(views, ctx, page));
      else if (debug && status === 404) ctx.body = routeListPage(ctx, page.message, routes);
      else ctx.body = renderErrorPage(views, ctx, page);
    }
  };
}

function renderErrorPage(views: ViewFactory, ctx: Context, page: Record<string, unknown> & { status: number }): string {
  const template = views.exists(`errors/${page.status}`) ? `errors/${page.status}` : "errors/error";
  try {
    return views.render(template, page, ctx);
  } catch {
    // A broken error template must not hide the original error behind a second one.
    return `<!doctype html><title>${page.status}</title><h1>${page.status} ${String(page.title)}</h1>`;
  }
}

/** A path made only of characters that name themselves on disk: no %-escapes, backslashes or NULs. */
const PLAIN_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

/** What path.posix.normalize (and the trailing-slash trim) would change in a plain path: "//", "/./", "/." at the end, a trailing "/". Most paths have none, and skip both. */
const NORMALISES = /\/\/|\/\.(?:\/|$)|.\/$/;

/** Every file and folder under `root`, as URL paths ("/css", "/css/app.css"). */
function listPublicPaths(root: string): Set<string> {
  const paths = new Set<string>(["/"]);
  const walk = (dir: string, prefix: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return; // no public folder: nothing to serve
    }
    for (const name of entries) {
      const url = `${prefix}/${name}`;
      paths.add(url);
      if (statSync(path.join(dir, name), { throwIfNoEntry: false })?.isDirectory()) walk(path.join(dir, name), url);
    }
  };
  walk(root, "");
  return paths;
}

/**
 * Files from `storage/public`, served before any route exactly as koa-static serves them,
 * without its cost on the requests that are not for a file. koa-send answers those with a
 * failing async stat (a thread-pool hop and an Error built per request, a seventh of a
 * routed request's time in the profile). A plain path that names nothing on disk goes
 * straight on: outside development the public folder is listed once at start-up (a file
 * added later is served after a restart), in development each request stats the disk.
 * Every other request (a file, a folder, "..", escapes, any stat error) still goes through
 * koa-static unchanged.
 */
export function staticFiles(root: string, options: { watch: boolean }) {
  const serve = serveStatic(root, { defer: false, gzip: false, brotli: false });
  const listed = options.watch ? undefined : listPublicPaths(root);
  const exists = (pathname: string): boolean => {
    if (listed) return listed.has(NORMALISES.test(pathname) ? path.posix.normalize(pathname).replace(/(.)\/+$/, "$1") : pathname);
    try {
      return statSync(path.join(root, pathname), { throwIfNoEntry: false }) !== undefined;
    } catch {
      return true; // ENOTDIR, ENAMETOOLONG ...: koa-send decides, as before
    }
  };
  return function serveStaticFiles(ctx: Context, next: Next): Promise<unknown> {
    if (ctx.method !== "GET" && ctx.method !== "HEAD") return next();
    const pathname = ctx.path;
    if (PLAIN_PATH.test(pathname) && !pathname.includes("..") && !exists(pathname)) return next();
    return serve(ctx, next);
  };
}

/** What @koa/router puts on the context of a request it routes. */
interface RoutedFields {
  matched: Layer[];
  routeMatched: boolean;
  router: Router;
  captures: string[];
  params: Record<string, string>;
  routerPath: string;
  routerName: string | undefined;
  _matchedRoute: string;
  _matchedRouteName?: string;
}

/**
 * A lookup in front of @koa/router for the routes without parameters. The router tests the
 * request's path against every route's pattern and builds a middleware chain on each request;
 * a route whose path is a fixed string is found here by that exact string, and gets the fields
 * the router would have set. The router decides which paths qualify: at start-up each fixed path
 * (for each of its route's methods, HEAD with GET) is matched through the router, and kept only
 * when the router's first answer is that route (not a parameter route registered before it).
 * Every other request (another spelling: "/a/", "/A"; a parameter; no route) goes on to the router.
 */
export function exactRoutes(router: Router) {
  const table = new Map<string, { layer: Layer; handler: Layer["stack"][number]; matched: Layer[] }>();
  for (const layer of router.stack) {
    const { path: fixed, stack } = layer;
    if (typeof fixed !== "string" || layer.paramNames.length > 0 || stack.length !== 1 || !layer.regexp.test(fixed)) continue;
    for (const method of layer.methods) {
      const match = router.match(fixed, method);
      const key = `${method} ${fixed}`;
      if (match.pathAndMethod[0] === layer && !table.has(key)) table.set(key, { layer, handler: stack[0]!, matched: match.path });
    }
  }
  return function routeExactPath(ctx: Context, next: Next): unknown {
    const hit = table.get(`${ctx.method} ${ctx.path}`);
    if (!hit) return next();
    const { layer } = hit;
    const fields = ctx as Context & RoutedFields;
    fields.matched = hit.matched.slice();
    fields.routeMatched = true;
    fields.router = router;
    fields.captures = [];
    fields.params = (ctx.request as Context["request"] & { params: Record<string, string> }).params = {};
    fields.routerPath = fields._matchedRoute = layer.path as string;
    fields.routerName = layer.name;
    if (layer.name) fields._matchedRouteName = layer.name;
    return hit.handler(ctx as never, next);
  };
}

/** Turns a controller's return value into the response body. */
function respond(ctx: Context, result: unknown): void {
  if (result instanceof Response) return;
  if (result instanceof View) {
    ctx.type = "html";
    ctx.body = result.toHtml();
  } else if (typeof result === "string") {
    ctx.type = "html";
    ctx.body = result;
  } else if (result !== undefined) {
    ctx.body = result;
  } else if (ctx.body == null && ctx.status === 404) {
    ctx.status = 204;
  }
}

/**
 * The Koa handler for one route: a RequestScope per request holding its Request, Response
 * and View, the route's middleware (built once, at start-up), a multipart body still waiting to
 * be read, then the controller method
 * with its arguments resolved by type. The method plan is made once, here, at start-up.
 */
export function routeHandler(route: RouteDefinition, container: DependencyContainer, views: ViewFactory, middleware: Middleware[], jsonErrors: boolean) {
  const [controller, method] = route.action;
  const plan = planMethod(controller, method);
  if (cannotBuild(controller, container)) {
    throw new ConfigurationError(
      "E_UNBUILDABLE_CONTROLLER",
      `${plan.label} cannot run: the constructor of ${controller.name} takes ${controller.length} parameter(s) but the class is not marked @injectable(), so the container cannot build it: add @injectable() (from "masonite/container") above the class, or register it in a provider.`,
    );
  }
  if (plan.routeParamCount > route.paramNames.length) {
    throw new ConfigurationError("E_ROUTE_PARAMS", `${plan.label} asks for ${plan.routeParamCount} route parameter(s) but the route has ${route.paramNames.length}: add @name segments to its path or take parameters out of the method.`);
  }
  const run = compose(middleware.map((instance) => (ctx: Context, next: Next) => instance.handle(ctx, next)));
  const callController = async (ctx: Context): Promise<void> => {
    const scope = scopeOf(ctx);
    const instance = scope.resolve(controller as never) as Record<string, (...args: unknown[]) => unknown>;
    const params = route.paramNames.map((name) => (ctx.params as Record<string, string>)[name] ?? "");
    respond(ctx, await instance[method]!(...resolveArguments(plan, scope, params)));
  };
  return function handleRoute(ctx: Context): Promise<void> {
    const scope = new RequestScope(container);
    const request = new Request(ctx);
    (ctx as RoutedContext)[JSON_ERRORS] = jsonErrors;
    attachScope(ctx, scope);
    scope.provide(Request, request);
    scope.provide(Response, new Response(ctx));
    scope.provide(View, new View(views, ctx, plan.label));
    // A multipart body waits until the route's middleware let the request through: a refused one writes nothing to disk.
    // Any other request goes straight to its controller, without a promise of its own.
    return run(ctx, () => (bodyPending(ctx) ? readPendingBody(ctx).then(() => callController(ctx)) : callController(ctx)));
  };
}
