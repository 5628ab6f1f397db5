import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, Next } from "koa";
import { ConfigurationError } from "../core/errors";
import type { RouteDefinition } from "./Route";

/** The app's named routes; `url("name", params)` reads it in controllers and templates. */
export class RouteTable {
  readonly routes: readonly RouteDefinition[];
  #byName = new Map<string, RouteDefinition>();

  constructor(routes: readonly RouteDefinition[]) {
    this.routes = routes;
    for (const route of routes) {
      const name = route.routeName;
      if (name === undefined) continue;
      if (this.#byName.has(name)) {
        throw new ConfigurationError("E_DUPLICATE_ROUTE_NAME", `Two routes are named "${name}": route names must be unique.`);
      }
      this.#byName.set(name, route);
    }
  }

  url(name: string, params?: Record<string, string | number>): string {
    const route = this.#byName.get(name);
    if (!route) throw new ConfigurationError("E_UNKNOWN_ROUTE", `No route is named "${name}".`);
    return route.url(params);
  }
}

/** The table of the app a request came to, on its context: framework-private, out of `ctx.state`. */
const TABLE = Symbol("masonite:routeTable");
type WithTable = Context & { [TABLE]?: RouteTable };

/**
 * The table of the app serving the code that runs now. `url()` takes no request, so while
 * several apps share the process (tests, a multi-tenant server) the request's app follows it
 * through its awaits. With one app, that app's table is the answer, and the storage is never
 * entered: on Node 20 entering it makes Node track every promise of every request, measured at
 * a fifth of a session request's CPU.
 */
const serving = new AsyncLocalStorage<RouteTable>();
const live = new Set<RouteTable>();

/** The app's first middleware: its table for every request it serves, on the context and for `url()`. */
export function bindRouteTable(table: RouteTable) {
  live.add(table);
  return function bindRoutes(ctx: Context, next: Next): Promise<unknown> {
    (ctx as WithTable)[TABLE] = table;
    return live.size > 1 ? serving.run(table, next) : next();
  };
}

/** The app stopped serving: its table no longer answers `url()`. */
export function releaseRouteTable(table: RouteTable): void {
  live.delete(table);
}

/** The route table of the app that received `ctx`. */
export function routeTableOf(ctx: Context): RouteTable {
  const table = (ctx as WithTable)[TABLE];
  if (!table) throw new ConfigurationError("E_NO_ROUTE_TABLE", "This request did not come through an Application, so it has no routes to build URLs from: serve it with Application.callback() or listen().");
  return table;
}

/** URL of a named route of the app serving the current request: `url("users.show", { id: 3 })`. */
export function url(name: string, params?: Record<string, string | number>): string {
  const table = serving.getStore() ?? (live.size === 1 ? live.values().next().value : undefined);
  if (!table) throw new ConfigurationError("E_URL_OUTSIDE_REQUEST", "url() has no app to build URLs for: none is serving, or several share this process and this call runs outside their requests; use app.routes.url(name, params) there.");
  return table.url(name, params);
}
