import type { Middleware, Next } from "../middleware";
import type { HttpContext } from "../request/HttpContext";
import "./context";
import type { Session } from "./Session";
import type { SessionManager } from "./SessionManager";
import { isPromise } from "./SessionStore";

const NO_COOKIES: ReadonlyMap<string, string> = new Map();

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
    // A Cookie header that never names the session cookie (none, or only other sites' analytics cookies) is not parsed.
    const cookies = ctx.koa.get("Cookie").includes(this.#manager.cookieName) ? ctx.cookies : NO_COOKIES;
    const started = this.#manager.start(cookies);
    return isPromise(started) ? started.then((session) => this.#run(ctx, cookies, session, next)) : this.#run(ctx, cookies, started, next);
  }

  #run(ctx: HttpContext, cookies: ReadonlyMap<string, string>, session: Session, next: Next): Promise<void> {
    ctx.session = session;
    return next().then(() => {
      const { koa } = ctx;
      // Asked for only when a session is created or gets a new id, so other requests never work out the client's IP.
      const headers = this.#manager.commit(session, cookies, { client: () => ({ ip: koa.ip, agent: koa.get("user-agent") }) });
      if (isPromise(headers)) return headers.then((written) => setCookies(ctx, written));
      setCookies(ctx, headers);
    });
  }
}
