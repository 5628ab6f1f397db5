import type { Context } from "koa";

/*
 * Whether a request's body still waits for its route, and reading it then: apart from the
 * parsers (body.ts), so what only asks (VerifyCsrfToken, the route) loads none of them.
 */

/** A multipart body that waits for its route: read by readPendingBody(), at most once. */
const PENDING = new WeakMap<Context, { read: () => Promise<void>; reading?: Promise<void> }>();

/** Whether the request's body waits to be read (a multipart body, until its route's middleware has run). */
export function bodyPending(ctx: Context): boolean {
  const pending = PENDING.get(ctx);
  return pending !== undefined && pending.reading === undefined;
}

/**
 * Reads the request's body if it still waits to be read; resolves at once when there is none
 * waiting. The route runs it after its middleware, so a request refused there (a CSRF check
 * on a header-borne token, a missing login) writes no upload to disk; middleware that needs
 * a multipart form's fields earlier awaits it.
 */
export function readPendingBody(ctx: Context): Promise<void> {
  const pending = PENDING.get(ctx);
  if (!pending) return Promise.resolve();
  pending.reading ??= pending.read();
  return pending.reading;
}

/** Leaves the request's body for readPendingBody(): `read` runs then, at most once. */
export function waitForRoute(ctx: Context, read: () => Promise<void>): void {
  PENDING.set(ctx, { read });
}
