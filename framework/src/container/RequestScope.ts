import type { Context } from "koa";
import type { DependencyContainer, InjectionToken } from "tsyringe";
import { FrameworkError } from "../foundation/errors";

type Constructor = new (...args: never[]) => unknown;

/**
 * One request's services. The framework provides the request's own values (Request,
 * Response, View, Session); anything else is built as tsyringe would build it from a child
 * of the app's container that holds those values. That child container is made only when
 * something asks for it: a class whose constructor takes nothing is simply constructed, so
 * a typical request never pays for a container of its own (measured in-process, making one
 * per request cost a fifth of a routed request's time).
 */
export class RequestScope {
  #root: DependencyContainer;
  #values = new Map<InjectionToken<unknown>, unknown>();
  #container: DependencyContainer | undefined;

  constructor(root: DependencyContainer) {
    this.#root = root;
  }

  /** Makes `value` the request's instance of `type`, for everything resolved after this. */
  provide<T>(type: InjectionToken<T>, value: T): void {
    this.#values.set(type, value);
    this.#container?.register(type, { useValue: value });
  }

  resolve<T>(type: InjectionToken<T>): T {
    if (this.#values.has(type)) return this.#values.get(type) as T;
    // What tsyringe itself does for an unregistered class whose constructor takes no arguments.
    if (typeof type === "function" && type.length === 0 && !this.#root.isRegistered(type, true)) return new (type as Constructor)() as T;
    return this.container.resolve(type);
  }

  /** The request's child container, with the request's values registered in it. */
  get container(): DependencyContainer {
    if (!this.#container) {
      const container = this.#root.createChildContainer();
      for (const [type, value] of this.#values) container.register(type, { useValue: value });
      this.#container = container;
    }
    return this.#container;
  }
}

/** The RequestScope of a routed request. */
export function scopeOf(ctx: Context): RequestScope {
  const scope = ctx.state.scope as RequestScope | undefined;
  if (!scope) throw new FrameworkError("E_NO_REQUEST_SCOPE", "This request has no RequestScope: only routed requests have one (static files and errors before routing do not).");
  return scope;
}
