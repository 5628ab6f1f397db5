import type { Middleware, Next } from "../middleware";
import type { HttpContext } from "../request/HttpContext";
import "./context";
import type { SessionManager } from "./SessionManager";

/**
 * Starts the request's Session as `ctx.session` (where controllers' Session parameters and
 * templates read it), and commits it after the controller and the view ran. A request that
 * throws commits nothing, so no half-finished change reaches the store. SessionProvider builds
 * it; listed in a group without the provider, start-up says which provider to add.
 */
export class SessionMiddleware implements Middleware {
  static readonly provider = "SessionProvider";
  #manager: SessionManager;

  constructor(manager: SessionManager) {
    this.#manager = manager;
  }

  async handle(ctx: HttpContext, next: Next): Promise<void> {
    const { cookies, koa } = ctx;
    const session = await this.#manager.start(cookies);
    ctx.session = session;
    await next();
    // Asked for only when a session is created or gets a new id, so other requests never work out the client's IP.
    const client = () => ({ ip: koa.ip, agent: koa.get("user-agent") });
    for (const header of await this.#manager.commit(session, cookies, { client })) koa.append("Set-Cookie", header);
  }
}
