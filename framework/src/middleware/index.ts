import type { HttpContext } from "../request/HttpContext";

/** The rest of the chain: the next middleware, then the controller. */
export type Next = () => Promise<void>;

/**
 * Route middleware: a class built once per app, at start-up, from the app container, so its
 * constructor can take app services (as a Koa middleware function is made once). `handle` runs
 * around the rest of the chain, Koa-style, with the request's HttpContext: its own objects are
 * fields there (`ctx.request`, `ctx.session`, `ctx.koa` for Koa's), never instance fields.
 */
export interface Middleware {
  handle(ctx: HttpContext, next: Next): Promise<void>;
}

// Constructor arguments come from the container, so any signature is allowed.
export type MiddlewareClass = new (...args: any[]) => Middleware;
