import type { Context, Next } from "koa";
import type { BodyReader } from "../request/body";

/** The methods whose bodies are read. */
const BODY_METHODS = ["POST", "PUT", "PATCH"];

/**
 * Reads the JSON or form body of POST, PUT and PATCH requests before the routes run (the CSRF
 * check needs the form's token); a multipart body is only checked here and read by its route,
 * after the route's middleware (see HttpContext.readBody). Requests of other methods go straight on,
 * without a promise of their own.
 */
export function readBody(reader: BodyReader) {
  return function readRequestBody(ctx: Context, next: Next): Promise<void> {
    if (!BODY_METHODS.includes(ctx.http.method)) return next();
    return reader.begin(ctx.http).then(next);
  };
}
