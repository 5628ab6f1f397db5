import type { Context } from "koa";
import type { DependencyContainer, InjectionToken } from "tsyringe";
import { FrameworkError } from "../core/errors";

type Constructor = new (...args: never[]) => unknown;

/** Where tsyringe's @inject(token) keeps its per-parameter tokens (reflection-helpers in tsyringe 4). */
const INJECTION_TOKENS = "injectionTokens";

/** Per class: whether its metadata proves that tsyringe would build it with a bare `new`. */
const bareConstruction = new WeakMap<Function, boolean>();

/**
 * True when tsyringe, finding `type` unregistered, would call `new type()` with no
 * arguments. `length` alone cannot tell: it is 0 for a class that inherits its injectable
 * base's constructor and for a constructor whose parameters have defaults, and tsyringe
 * injects both (it reads `design:paramtypes` through the prototype chain). Metadata is
 * fixed once the class is declared, so the answer is kept per class.
 */
function buildsBare(type: Function): boolean {
  let bare = bareConstruction.get(type);
  if (bare === undefined) {
    bare = type.length === 0 && hasNoInjectionMetadata(type);
    bareConstruction.set(type, bare);
  }
  return bare;
}

/**
 * Whether tsyringe could not build `type` from `root`: a constructor that takes parameters but
 * has neither their types (`@injectable()`) nor tokens, and that no provider registered.
 * Checked at start-up, so the mistake is not a 500 on the first request.
 */
export function cannotBuild(type: Function, root: DependencyContainer): boolean {
  return type.length > 0 && hasNoInjectionMetadata(type) && !root.isRegistered(type as InjectionToken<unknown>, true);
}

/** No parameter types and no tokens: nothing tsyringe could build constructor arguments from. */
function hasNoInjectionMetadata(type: Function): boolean {
  const paramTypes: unknown[] | undefined = Reflect.getMetadata("design:paramtypes", type);
  const tokens: object | undefined = Reflect.getMetadata(INJECTION_TOKENS, type);
  return !paramTypes?.length && (!tokens || Object.keys(tokens).length === 0);
}

/**
 * One request's services. The framework provides the request's own values (Request,
 * Response, View, Session); anything else is built as tsyringe would build it from a child
 * of the app's container that holds those values. That child container is made only when
 * something asks for it: an unregistered class that provably takes nothing is simply
 * constructed, so a typical request never pays for a container of its own (measured
 * in-process, making one per request cost a fifth of a routed request's time).
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
    // What tsyringe itself does for such a class. Registration is checked every time: a
    // provider may register the class after a request has already built it bare.
    if (typeof type === "function" && buildsBare(type) && !this.#root.isRegistered(type, true)) return new (type as Constructor)() as T;
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

/** Where a routed request's scope sits on its Koa context: framework state, out of the app's `ctx.state`. */
const SCOPE = Symbol("masonite.scope");

export function attachScope(ctx: Context, scope: RequestScope): void {
  (ctx as unknown as Record<symbol, RequestScope>)[SCOPE] = scope;
}

/** The request's scope, or undefined before routing (static files, early errors). */
export function findScope(ctx: Context): RequestScope | undefined {
  return (ctx as unknown as Record<symbol, RequestScope | undefined>)[SCOPE];
}

/** The RequestScope of a routed request. */
export function scopeOf(ctx: Context): RequestScope {
  const scope = findScope(ctx);
  if (!scope) throw new FrameworkError("E_NO_REQUEST_SCOPE", "This request has no RequestScope: only routed requests have one (static files and errors before routing do not).");
  return scope;
}
