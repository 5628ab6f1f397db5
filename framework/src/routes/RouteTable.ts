import { ConfigurationError } from "../core/errors";
import type { RouteDefinition } from "./Route";

/**
 * The app's named routes, one per app: templates' `url("name", params)`, `ctx.urlFor()` and
 * `response.route()` read it, and controllers can take it as a parameter.
 */
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
