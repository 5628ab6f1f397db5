import type { Context, Next } from "koa";
import { inject as injectToken, injectable } from "tsyringe";
import { scopeOf } from "../container/RequestScope";
import type { Middleware } from "../middleware";
import { Session, type SessionOptions } from "./Session";
import type { SessionDriver } from "./SessionDriver";

/** Container token of the app's configured session driver. */
export const SESSION_DRIVER = Symbol("SessionDriver");
/** Container token of the SessionOptions every request's Session is made with. */
export const SESSION_OPTIONS = Symbol("SessionOptions");

/**
 * Starts the request's Session, makes it injectable, and commits it after the
 * controller and the view ran. A request that throws commits nothing, so no
 * half-finished change reaches the store.
 */
@injectable()
export class SessionMiddleware implements Middleware {
  #driver: SessionDriver;
  #options: SessionOptions;

  constructor(@injectToken(SESSION_DRIVER) driver: SessionDriver, @injectToken(SESSION_OPTIONS) options: SessionOptions) {
    this.#driver = driver;
    this.#options = options;
  }

  async handle(ctx: Context, next: Next): Promise<void> {
    const session = new Session(await this.#driver.load(ctx), this.#options);
    ctx.state.session = session;
    scopeOf(ctx).provide(Session, session);
    await next();
    await this.#driver.commit(ctx, session.changes());
  }
}
