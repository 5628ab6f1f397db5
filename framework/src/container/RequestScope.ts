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

/** Reads one request value (the request's Request, its Session ...) from its context; undefined when it has none. */
export type ContextValue<C> = (ctx: C) => unknown;

/**
 * The app's table of request values by type: what a controller parameter or a constructor of
 * that type receives, read from the request's context. The framework lists HttpContext, Request,
 * Response and View; a plug-in adds its own (SessionProvider lists Session) through `app.contextValue()`.
 */
export type ContextValues<C> = ReadonlyMap<InjectionToken<unknown>, ContextValue<C>>;

/**
 * One request's services. A type in the app's table of context values is read from the
 * request's context (its Request, Response, View, Session); anything else is built as tsyringe
 * would build it from a child of the app's container in which those types read the same
 * context. That child container is made only when something asks for it: an unregistered
 * class that provably takes nothing is simply constructed, so a typical request never pays for
 * a container of its own (measured in-process, making one per request cost a fifth of a routed
 * request's time).
 */
export class RequestScope<C = unknown> {
  readonly #ctx: C;
  readonly #root: DependencyContainer;
  readonly #values: ContextValues<C>;
  #container: DependencyContainer | undefined;

  constructor(ctx: C, root: DependencyContainer, values: ContextValues<C>) {
    this.#ctx = ctx;
    this.#root = root;
    this.#values = values;
  }

  resolve<T>(type: InjectionToken<T>): T {
    const read = this.#values.get(type);
    if (read) return this.#read(type, read);
    // What tsyringe itself does for such a class. Registration is checked every time: a
    // provider may register the class after a request has already built it bare.
    if (typeof type === "function" && buildsBare(type) && !this.#root.isRegistered(type, true)) return new (type as Constructor)() as T;
    return this.container.resolve(type);
  }

  /** The request's child container, in which every type of the table reads this request's context. */
  get container(): DependencyContainer {
    if (!this.#container) {
      const container = this.#root.createChildContainer();
      for (const [type, read] of this.#values) container.register(type, { useFactory: () => this.#read(type, read) });
      this.#container = container;
    }
    return this.#container;
  }

  /** A context value, never undefined: a request without one is a mistake the error names. */
  #read<T>(type: InjectionToken<T>, read: ContextValue<C>): T {
    const value = read(this.#ctx);
    if (value === undefined) {
      const name = typeof type === "function" ? type.name : String(type);
      throw new FrameworkError("E_NO_CONTEXT_VALUE", `This request has no ${name}: the app's table of context values reads none from its context; a plug-in that lists ${name} (app.contextValue) sets it in its middleware, so run that middleware on this route.`);
    }
    return value as T;
  }
}
