import type { Context, Next } from "koa";

/**
 * Route middleware: a class resolved from the request's container, so its constructor
 * can take app services. `handle` runs around the rest of the chain, Koa-style.
 */
export interface Middleware {
  handle(ctx: Context, next: Next): Promise<void>;
}

// Constructor arguments come from the container, so any signature is allowed.
export type MiddlewareClass = new (...args: any[]) => Middleware;
