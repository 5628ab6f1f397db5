import type { Context, Next } from "koa";

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "64kb", "1mb", "512" -> bytes, as the body parser reads BODY_LIMIT; undefined when it cannot tell. */
export function parseByteSize(limit: string | number): number | undefined {
  if (typeof limit === "number") return limit;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  return match ? Math.floor(Number(match[1]) * UNITS[(match[2] ?? "b").toLowerCase()]!) : undefined;
}

/**
 * Refuses a request whose declared Content-Length is over the body limit before anything
 * reads it. The body parser cannot: it truncates the header to 32 bits (`~~length`), so
 * "Content-Length: 10737418240" turned negative and the request waited forever for a body.
 */
export function declaredBodyLimit(limit: string | number) {
  const max = parseByteSize(limit);
  return function refuseOversizedBodies(ctx: Context, next: Next): Promise<void> {
    const declared = ctx.req.headers["content-length"];
    if (max !== undefined && declared !== undefined && Number(declared) > max) {
      ctx.throw(413, `The request body is over the limit of ${limit}.`);
    }
    return next();
  };
}

/**
 * Once the app is shutting down, every response closes its connection, so keep-alive
 * clients cannot hold the server open past the requests already in flight.
 */
export function closeConnectionsWhen(closing: () => boolean) {
  return async function closeConnectionsWhenStopping(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } finally {
      if (closing() && !ctx.headerSent) ctx.set("Connection", "close");
    }
  };
}

/** The methods whose bodies are read; @koa/bodyparser's own default list. */
export const BODY_METHODS = ["POST", "PUT", "PATCH"];

/**
 * Wraps the body parser: a body it cannot read at all (say "Content-Encoding: gzip" on
 * bytes that are not gzip, which zlib reports without an HTTP status) is the client's
 * mistake, 400, not a 500. Errors from the routes after it pass through untouched.
 * Requests of other methods go straight on, without the wrapper's per-request closure.
 */
export function readBody(parse: (ctx: Context, next: Next) => Promise<unknown>) {
  return function readRequestBody(ctx: Context, next: Next): Promise<void> {
    if (!BODY_METHODS.includes(ctx.method)) return next();
    return parseOrRefuse(ctx, next);
  };

  async function parseOrRefuse(ctx: Context, next: Next): Promise<void> {
    let parsed = false;
    try {
      await parse(ctx, () => {
        parsed = true;
        return next();
      });
    } catch (error) {
      if (parsed || (error as { status?: unknown })?.status !== undefined) throw error;
      ctx.throw(400, "The request body could not be read.", { cause: error });
    }
  }
}
