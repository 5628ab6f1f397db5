import { FrameworkError } from "../core/errors";
import type { HttpContext } from "../request/HttpContext";
import type { Session } from "./Session";

declare module "../request/HttpContext" {
  interface HttpContext {
    /** The request's session: set by SessionMiddleware, so undefined outside a group that runs it (the "api" group). */
    session?: Session;
  }
}

/** The request's session; a coded error naming the fix when its route starts none. */
export function requireSession(ctx: HttpContext): Session {
  if (ctx.session) return ctx.session;
  throw new FrameworkError(
    "E_NO_SESSION",
    `No session on ${ctx.koa.method} ${ctx.koa.path}: its route's middleware group must run SessionMiddleware (the "web" group does; "api" routes have no session).`,
  );
}
