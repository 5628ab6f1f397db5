import type { Context } from "koa";
import type { HttpContext } from "../request/HttpContext";
import type { RouteDefinition } from "../routes/Route";
import type { ViewFactory } from "../views/ViewFactory";
import { FrameworkError } from "../core/errors";
import type { Logger } from "../core/logger";

/**
 * The debug pages, loaded on first use: Youch and its source-map readers are a tenth of a
 * production process's start-up, and production never shows a debug page.
 */
function debugPages(): typeof import("./debugPages") {
  return require("./debugPages") as typeof import("./debugPages");
}

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
  /** Sets the security headers again on an error page (the pipeline sets them on every response before the app runs). */
  headers: (ctx: Context) => void;
  /** Errors as JSON whatever the client accepts, for a path no route answered (an API group's prefix). */
  jsonErrors: (path: string) => boolean;
  /** The app's routes, listed on the debug 404 page. */
  routes: readonly RouteDefinition[];
}

/** The router's silent 404, 405 or 501 as an error with a code and a message that says what would work. */
function unanswered(ctx: Context): FrameworkError {
  const request = `${ctx.method} ${ctx.path}`;
  if (ctx.status === 404) return new FrameworkError("E_ROUTE_NOT_FOUND", `No route matches ${request}.`, { status: 404 });
  const allow = ctx.response.get("Allow");
  if (ctx.status === 405) return new FrameworkError("E_METHOD_NOT_ALLOWED", `${request} is not allowed: this path takes ${allow || "no method"}.`, { status: 405 });
  return new FrameworkError("E_METHOD_NOT_IMPLEMENTED", `${request}: the server does not implement the method ${ctx.method}; ${allow ? `use one of ${allow}` : "use GET, HEAD, POST, PUT, PATCH or DELETE"}.`, { status: 501 });
}

/** What the request pipeline asks of the error pages: whether the router left the request unanswered, and the page for a failure. */
export interface ErrorPages {
  /** Throws the router's silent 404, 405 or 501 (no route, or routes for other methods only) as an error. */
  checkAnswered(ctx: Context): void;
  /** Turns any failure into its error page, or JSON for API clients and API groups. */
  answer(ctx: Context, raw: unknown): Promise<void>;
}

/**
 * Every failure becomes an error page (or JSON for API clients and API groups) with the right
 * status, 5xx details only in debug mode, and the process keeps serving.
 * In debug mode an HTML 5xx is the exception page (the app's frame and its source) and a 404
 * lists the routes; other 4xx pages are the app's templates, as in production.
 */
export function errorPages(views: ViewFactory, logger: Logger, { debug, headers, jsonErrors, routes }: ErrorPageOptions): ErrorPages {
  return {
    checkAnswered(ctx) {
      if (ctx.body == null && UNANSWERED.has(ctx.status)) throw unanswered(ctx);
    },
    async answer(ctx, raw) {
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
      // The matched route's group decides; before routing (or with no route), the path's prefix does.
      const json = ctx.http.jsonErrors ?? jsonErrors(ctx.path);
      if (json || ctx.accepts("html", "json") === "json") {
        // A 4xx code is part of the API (what the client should fix); a 5xx one names the framework's insides.
        const code = debug || status < 500 ? page.code : "";
        ctx.body = { error: { status, title: page.title, message: page.message || page.title, code: code || undefined, detail: page.detail || undefined } };
        return;
      }
      ctx.type = "html";
      // A failing exception page must not hide the original error behind a second one.
      if (debug && status >= 500) ctx.body = await debugPages().exceptionPage(ctx, raw).catch(() => renderErrorPage(views, ctx.http, page));
      else if (debug && status === 404) ctx.body = debugPages().routeListPage(ctx, page.message, routes);
      else ctx.body = renderErrorPage(views, ctx.http, page);
    },
  };
}

function renderErrorPage(views: ViewFactory, ctx: HttpContext, page: Record<string, unknown> & { status: number }): string {
  const template = views.exists(`errors/${page.status}`) ? `errors/${page.status}` : "errors/error";
  try {
    return views.render(template, page, ctx);
  } catch {
    // A broken error template must not hide the original error behind a second one.
    return `<!doctype html><title>${page.status}</title><h1>${page.status} ${String(page.title)}</h1>`;
  }
}
