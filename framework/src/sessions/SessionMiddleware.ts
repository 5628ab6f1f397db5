import type { Context, Next } from "koa";
import { scopeOf } from "../container/RequestScope";
import type { Middleware } from "../middleware";
import { requestCookies } from "./cookies";
import { attachSession, Session } from "./Session";
import type { SessionManager } from "./SessionManager";

/**
 * Starts the request's Session, makes it injectable, and commits it after the controller
 * and the view ran. A request that throws commits nothing, so no half-finished change
 * reaches the store. SessionProvider builds it; listed in a group without the provider,
 * start-up says which provider to add.
 */
export class SessionMiddleware implements Middleware {
  static readonly provider = "SessionProvider";
  #manager: SessionManager;

  constructor(manager: SessionManager) {
    this.#manager = manager;
  }

  async handle(ctx: Context, next: Next): Promise<void> {
    const cookies = requestCookies(ctx);
    const session = await this.#manager.start(cookies);
    attachSession(ctx, session);
    // Session is generic: controllers get the app's typed instance, not the widest one.
    scopeOf(ctx).provide<Session>(Session, session);
    await next();
    // Asked for only when a session is created or gets a new id, so other requests never work out ctx.ip.
    const client = () => ({ ip: ctx.ip, agent: ctx.get("user-agent") });
    for (const header of await this.#manager.commit(session, cookies, { client })) ctx.append("Set-Cookie", header);
  }
}
