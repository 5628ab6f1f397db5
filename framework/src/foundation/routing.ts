import type { MiddlewareClass } from "../middleware";
import type { RouteDefinition } from "../routes/Route";
import { ConfigurationError } from "../core/errors";

/** A middleware group with options; a plain list is the same group with none. */
export interface MiddlewareGroup {
  middleware: MiddlewareClass[];
  /**
   * `"json"`: errors of this group's routes, and of unknown paths under its prefix, are JSON
   * whatever the client accepts (an API's group). Otherwise HTML pages, or JSON to a client that prefers it.
   */
  errors?: "json";
}

export type MiddlewareGroups = Record<string, MiddlewareClass[] | MiddlewareGroup>;

/** What the Kernel's groups and route middleware make of one route. */
export interface RoutePipeline {
  /** The names of the middleware groups the route runs, outer first. */
  groups: string[];
  /** Every middleware class it runs, in order: the groups' expanded, then its own. */
  middleware: MiddlewareClass[];
  /** Its errors are JSON: one of its groups says so. */
  jsonErrors: boolean;
}

function groupOf(groups: MiddlewareGroups, name: string): MiddlewareGroup | undefined {
  const group = Object.hasOwn(groups, name) ? groups[name] : undefined;
  return Array.isArray(group) ? { middleware: group } : group;
}

/** Expands a route's middleware names: a `routeMiddleware` key is one class, a group name its whole list. */
export function routePipeline(route: RouteDefinition, groups: MiddlewareGroups, routeMiddleware: Record<string, MiddlewareClass> = {}): RoutePipeline {
  const pipeline: RoutePipeline = { groups: [], middleware: [], jsonErrors: false };
  for (const name of route.middlewareNames) {
    const single = Object.hasOwn(routeMiddleware, name) ? routeMiddleware[name] : undefined;
    const group = single ? undefined : groupOf(groups, name);
    if (single) {
      pipeline.middleware.push(single);
    } else if (group) {
      pipeline.groups.push(name);
      pipeline.middleware.push(...group.middleware);
      pipeline.jsonErrors ||= group.errors === "json";
    } else {
      throw new ConfigurationError("E_UNKNOWN_MIDDLEWARE", `Route ${route.description} uses middleware "${name}", which the Kernel does not define: add it to middlewareGroups or routeMiddleware in app/Kernel.ts.`);
    }
  }
  return pipeline;
}

/**
 * A configuration mistake found while registering `route`, with the route (method, path and
 * the file and line that declared it) put in front, so the message says which line to fix.
 */
export function inRoute(route: RouteDefinition, error: unknown): unknown {
  if (!(error instanceof ConfigurationError)) return error;
  return new ConfigurationError(error.code, `Route ${route.description}: ${error.message}`, error);
}

/**
 * Whether a request that matched no route (or failed before routing) gets its error as JSON.
 * The groups mounted at the longest `Route.group` prefix the path lies under decide: `/api/nope`
 * belongs to the group mounted at "/api", not to the one mounted at "".
 */
export function jsonErrorsForPath(routes: readonly RouteDefinition[], groups: MiddlewareGroups): (path: string) => boolean {
  const mounts = new Map<string, boolean>();
  for (const route of routes) {
    for (const scope of route.groups) {
      for (const name of scope.middleware) {
        const group = groupOf(groups, name);
        if (group) mounts.set(scope.prefix, (mounts.get(scope.prefix) ?? false) || group.errors === "json");
      }
    }
  }
  const longestFirst = [...mounts].sort(([a], [b]) => b.length - a.length);
  return (path) => {
    const mount = longestFirst.find(([prefix]) => prefix === "" || path === prefix || path.startsWith(`${prefix}/`));
    return mount?.[1] ?? false;
  };
}
