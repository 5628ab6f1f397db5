import type { Context, Next } from "koa";
import { HttpContext, type HttpApp } from "../request/HttpContext";
import type { ErrorPages } from "./errorPages";
import type { StaticFiles } from "./staticFiles";

export interface PipelineParts {
  app: HttpApp;
  /** Sets the security headers, on every response before the app runs. */
  headers: (ctx: Context) => void;
  errors: ErrorPages;
  statics: StaticFiles;
  /** Starts reading the body of a request that has one; undefined for the others. */
  readBody: (ctx: HttpContext) => Promise<void> | undefined;
  /** The routes (routeDispatch.ts); `next` is what a request no route answers goes on to. */
  route: (ctx: Context, next: Next) => unknown;
  /** Whether the app is shutting down. */
  closing: () => boolean;
}

/**
 * The app's request path in front of the routes, as one Koa middleware that calls its parts as
 * plain functions (each its own file's job), rather than a Koa middleware each: a dispatch and
 * often a promise per part on every request. In order: the request's HttpContext (`ctx.http`),
 * the security headers, the public folder's files, the body, the route; any failure (and a
 * request the router leaves unanswered) becomes an error page; once the app is shutting down,
 * every response closes its connection, so keep-alive clients cannot hold the server open past
 * the requests already in flight.
 */
export function requestPipeline({ app, headers, errors, statics, readBody, route, closing }: PipelineParts) {
  const routed = (ctx: HttpContext, next: Next): unknown => {
    const reading = readBody(ctx);
    return reading ? reading.then(() => route(ctx.koa, next)) : route(ctx.koa, next);
  };
  return async function handleRequest(koa: Context, next: Next): Promise<void> {
    const ctx = (koa.http = new HttpContext(koa, app));
    try {
      headers(koa);
      await (statics.wants(ctx) ? statics.serve(koa, () => routed(ctx, next) as Promise<unknown>) : routed(ctx, next));
      errors.checkAnswered(koa);
    } catch (raw) {
      await errors.answer(koa, raw);
    } finally {
      if (closing() && !koa.headerSent) koa.set("Connection", "close");
    }
  };
}
