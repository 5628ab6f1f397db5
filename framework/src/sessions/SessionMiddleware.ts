import type { Middleware, Next } from "../middleware";
import type { HttpContext } from "../request/HttpContext";
import "./context";
import type { Session } from "./Session";
import type { SessionManager } from "./SessionManager";
import { isPromise } from "./SessionStore";

function setCookies(ctx: HttpContext, headers: string[]): void {
  for (const header of headers) ctx.koa.append("Set-Cookie", header);
}

/**
 * Starts the request's Session as `ctx.session` (where controllers' Session parameters and
 * templates read it), and commits it after the controller and the view ran. A request that
 * throws commits nothing, so no half-finished change reaches the store. SessionProvider builds
 * it; listed in a group without the provider, start-up says which provider to add.
 * Not async: with a store that answers at once (the cookie store, or no session cookie) a
 * request that neither reads nor writes the session costs one promise continuation, the one
 * that commits after `next()`.
 */
export class SessionMiddleware implements Middleware {
  static readonly provider = "SessionProvider";
  #manager: SessionManager;

  constructor(manager: SessionManager) {
    this.#manager = manager;
  }

  handle(ctx: HttpContext, next: Next): Promise<void> {
    const started = this.#manager.start(ctx.cookies);
    return isPromise(started) ? started.then((session) => this.#run(ctx, session, next)) : this.#run(ctx, started, next);
  }

  #run(ctx: HttpContext, session: Session, next: Next): Promise<void> {
    ctx.session = session;
    return next().then(() => {
      const { koa } = ctx;
      // Asked for only when a session is created or gets a new id, so other requests never work out the client's IP.
      const headers = this.#manager.commit(session, ctx.cookies, { client: () => ({ ip: koa.ip, agent: koa.get("user-agent") }) });
      if (isPromise(headers)) return headers.then((written) => setCookies(ctx, written));
      setCookies(ctx, headers);
    });
  }
}
