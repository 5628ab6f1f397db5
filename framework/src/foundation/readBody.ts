import type { BodyReader } from "../request/body";
import type { HttpContext } from "../request/HttpContext";

/** The methods whose bodies are read. */
const BODY_METHODS = ["POST", "PUT", "PATCH"];

/**
 * Reads the JSON or form body of POST, PUT and PATCH requests before the routes run (the CSRF
 * check needs the form's token); a multipart body is only checked here and read by its route,
 * after the route's middleware (see HttpContext.readBody). Requests of other methods get
 * undefined, so the pipeline goes straight on, without a promise of their own.
 */
export function readBody(reader: BodyReader): (ctx: HttpContext) => Promise<void> | undefined {
  return (ctx) => (BODY_METHODS.includes(ctx.method) ? reader.begin(ctx) : undefined);
}
