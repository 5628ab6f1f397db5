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

let current: RouteTable | undefined;

/** Set by the Application at boot; one app per process is the normal case. */
export function useRouteTable(table: RouteTable): void {
  current = table;
}

/** URL of a named route of the running app: `url("users.show", { id: 3 })`. */
export function url(name: string, params?: Record<string, string | number>): string {
  if (!current) throw new ConfigurationError("E_NOT_BOOTED", "url() was called before the application booted.");
  return current.url(name, params);
}
