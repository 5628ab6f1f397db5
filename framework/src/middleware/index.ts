import type { Context, Next } from "koa";

/**
 * Route middleware: a class built once per app, at start-up, from the app container, so its
 * constructor can take app services (as a Koa middleware function is made once). `handle` runs
 * around the rest of the chain, Koa-style; the request's own objects come from `ctx`
 * (`scopeOf(ctx).resolve(Request)`, `sessionOf(ctx)`), never from instance fields.
 */
export interface Middleware {
  handle(ctx: Context, next: Next): Promise<void>;
}

// Constructor arguments come from the container, so any signature is allowed.
export type MiddlewareClass = new (...args: any[]) => Middleware;
