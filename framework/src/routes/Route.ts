import { ConfigurationError } from "../core/errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type ControllerClass = abstract new (...args: never[]) => object;
/** `[WelcomeController, "show"]`: the class and the name of one of its methods. */
export type RouteAction<C extends ControllerClass = ControllerClass> = readonly [C, string];

const PARAM = /[@:]([A-Za-z_][A-Za-z0-9_]*)/g;

/** One route, built fluently: `Route.get("/users/@id", [UserController, "show"]).name("users.show")`. */
export class RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly action: RouteAction;
  readonly paramNames: readonly string[];
  #name: string | undefined;
  #middleware: string[] = [];

  constructor(method: HttpMethod, path: string, action: RouteAction) {
    if (!path.startsWith("/")) {
      throw new ConfigurationError("E_BAD_ROUTE", `Route path "${path}" must start with "/".`);
    }
    this.method = method;
    this.path = path;
    this.action = action;
    this.paramNames = [...path.matchAll(PARAM)].map((m) => m[1]!);
  }

  /** Path in @koa/router's syntax: Masonite's `@id` becomes `:id`. */
  get routerPath(): string {
    return this.path.replace(PARAM, ":$1");
  }

  get routeName(): string | undefined { return this.#name; }
  get middlewareNames(): readonly string[] { return this.#middleware; }

  name(name: string): this {
    this.#name = name;
    return this;
  }

  /** Adds named route middleware (keys of the kernel's `routeMiddleware`), run after the group's. */
  middleware(...names: string[]): this {
    this.#middleware.push(...names);
    return this;
  }

  /** Builds this route's URL, percent-encoding each parameter. */
  url(params: Record<string, string | number> = {}): string {
    return this.path.replace(PARAM, (_, key: string) => {
      const value = params[key];
      if (value === undefined) {
        throw new ConfigurationError("E_MISSING_ROUTE_PARAM", `Route "${this.#name ?? this.path}" needs the parameter "${key}".`);
      }
      return encodeURIComponent(String(value));
    });
  }
}

function define(method: HttpMethod) {
  return (path: string, action: RouteAction) => new RouteDefinition(method, path, action);
}

/** The routes facade, in Masonite's shape. */
export const Route = {
  get: define("GET"),
  post: define("POST"),
  put: define("PUT"),
  patch: define("PATCH"),
  delete: define("DELETE"),
  /** Applies a path prefix, a name prefix and middleware to a list of routes. */
  group(routes: RouteDefinition[], options: { prefix?: string; name?: string; middleware?: string[] }): RouteDefinition[] {
    return routes.map((route) => {
      const grouped = new RouteDefinition(route.method, (options.prefix ?? "") + route.path, route.action);
      if (route.routeName) grouped.name((options.name ?? "") + route.routeName);
      return grouped.middleware(...(options.middleware ?? []), ...route.middlewareNames);
    });
  },
};
