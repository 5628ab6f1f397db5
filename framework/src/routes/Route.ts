import { ConfigurationError } from "../core/errors";
import { displayPath } from "../core/paths";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type ControllerClass = abstract new (...args: never[]) => object;
/** The names of a controller's methods: a misspelt action (`"crate"` for `"create"`) does not compile. */
export type ActionName<C extends ControllerClass> = { [K in keyof InstanceType<C>]: InstanceType<C>[K] extends (...args: never[]) => unknown ? K : never }[keyof InstanceType<C>] & string;
/** `[WelcomeController, "show"]`: the class and the name of one of its methods. */
export type RouteAction<C extends ControllerClass = ControllerClass> = readonly [C, string];

const PARAM = /[@:]([A-Za-z_][A-Za-z0-9_]*)/g;

/** A stack line's location: `at fn (/app/routes/web.ts:7:9)` or `at /app/routes/web.ts:7:9`. */
const FRAME_LOCATION = /(?:\(|^at )([^()]+):(\d+):\d+\)?$/;

/**
 * Where the code that declared a route sits (`routes/web.ts:7`, relative to the working
 * folder): the first stack frame outside this file. Read once per route, at start-up, so
 * a start-up error can send the developer to the line to fix.
 */
function callerLocation(): string | undefined {
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const match = FRAME_LOCATION.exec(line.trim());
    if (!match || match[1] === __filename) continue;
    return `${displayPath(match[1]!.replace(/^file:\/\//, ""))}:${match[2]}`;
  }
  return undefined;
}

/** What `Route.group` takes, in Masonite's names. */
export interface RouteGroupOptions {
  /** Put before each route's path: `"/api"`. */
  prefix?: string;
  /** Put before each route's name: `"api."`. */
  name?: string;
  /** Middleware names (a Kernel middleware group or a `routeMiddleware` key), run before the routes' own. */
  middleware?: string[];
}

/**
 * One `Route.group` a route was declared in, outermost first: the full path prefix the group
 * was mounted at (its outer groups' prefixes included) and the middleware names it added.
 */
export interface RouteGroupScope {
  readonly prefix: string;
  readonly middleware: readonly string[];
}

/** One route, built fluently: `Route.get("/users/@id", [UserController, "show"]).name("users.show")`. */
export class RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly action: RouteAction;
  readonly paramNames: readonly string[];
  #name: string | undefined;
  #middleware: string[] = [];
  #groups: readonly RouteGroupScope[] = [];
  #definedAt: string | undefined;

  constructor(method: HttpMethod, path: string, action: RouteAction) {
    if (!path.startsWith("/")) {
      throw new ConfigurationError("E_BAD_ROUTE", `Route path "${path}" must start with "/".`);
    }
    this.method = method;
    this.path = path;
    this.action = action;
    this.paramNames = [...path.matchAll(PARAM)].map((m) => m[1]!);
    this.#definedAt = callerLocation();
  }

  /** Path in @koa/router's syntax: Masonite's `@id` becomes `:id`. */
  get routerPath(): string {
    return this.path.replace(PARAM, ":$1");
  }

  get routeName(): string | undefined { return this.#name; }
  /** The groups' middleware names, outer group first, then the route's own. */
  get middlewareNames(): readonly string[] { return [...this.#groups.flatMap((group) => group.middleware), ...this.#middleware]; }
  get groups(): readonly RouteGroupScope[] { return this.#groups; }
  /** The file and line that declared the route (`routes/web.ts:7`), when the stack told. */
  get definedAt(): string | undefined { return this.#definedAt; }
  /** The route for a developer: `GET /posts/create (routes/web.ts:7)`. */
  get description(): string { return `${this.method} ${this.path}${this.#definedAt ? ` (${this.#definedAt})` : ""}`; }

  name(name: string): this {
    this.#name = name;
    return this;
  }

  /** Adds named route middleware (keys of the kernel's `routeMiddleware`), run after the group's. */
  middleware(...names: string[]): this {
    this.#middleware.push(...names);
    return this;
  }

  /**
   * A copy of this route inside one more (outer) group: its prefix goes before the path and
   * before every inner group's mount point, its name prefix before the name, its middleware
   * before the inner groups' and the route's own.
   */
  inGroup(options: RouteGroupOptions): RouteDefinition {
    const prefix = groupPrefix(options.prefix);
    const grouped = new RouteDefinition(this.method, prefix && this.path === "/" ? prefix : prefix + this.path, this.action);
    if (this.#name !== undefined) grouped.#name = (options.name ?? "") + this.#name;
    grouped.#definedAt = this.#definedAt;
    grouped.#middleware = [...this.#middleware];
    grouped.#groups = [{ prefix, middleware: [...(options.middleware ?? [])] }, ...this.#groups.map((group) => ({ prefix: prefix + group.prefix, middleware: group.middleware }))];
    return grouped;
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

/** `"/api"` as given, `"/api/"` without its trailing slash (so `"/"` inside it is `"/api"`), `""` for none. */
function groupPrefix(prefix = ""): string {
  if (prefix !== "" && !prefix.startsWith("/")) {
    throw new ConfigurationError("E_BAD_ROUTE", `Route group prefix "${prefix}" must start with "/".`);
  }
  return prefix.replace(/\/+$/, "");
}

function define(method: HttpMethod) {
  return <C extends ControllerClass>(path: string, action: readonly [C, ActionName<C>]) => new RouteDefinition(method, path, action);
}

/** The routes facade, in Masonite's shape. */
export const Route = {
  get: define("GET"),
  post: define("POST"),
  put: define("PUT"),
  patch: define("PATCH"),
  delete: define("DELETE"),
  /**
   * Copies of `routes` under a path prefix, a name prefix and middleware; groups nest, the
   * outer group's prefixes first and its middleware first. The routes given are left as they were.
   */
  group(routes: readonly RouteDefinition[], options: RouteGroupOptions = {}): RouteDefinition[] {
    return routes.map((route) => route.inGroup(options));
  },
};
