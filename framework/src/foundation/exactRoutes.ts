import type { Context, Next } from "koa";
import type { Layer, Router } from "@koa/router";

/**
 * What @koa/router puts on the context of a request it routes. `_matchedRoute` and
 * `_matchedRouteName` are the router's private fields (its dispatch writes them; the router
 * itself does not read them back), written here as it writes them, so middleware that read them
 * (a request log naming the matched route, say) see a request routed here as routed by the router.
 * An upgrade of @koa/router must check these names; tests/routing-exact.test.ts asserts what
 * a middleware sees of them, for exact paths and the router's own matches alike.
 */
interface RoutedFields {
  matched: Layer[];
  routeMatched: boolean;
  router: Router;
  captures: string[];
  params: Record<string, string>;
  routerPath: string;
  routerName: string | undefined;
  _matchedRoute: string;
  _matchedRouteName?: string;
}

/**
 * A lookup in front of @koa/router for the routes without parameters. The router tests the
 * request's path against every route's pattern and builds a middleware chain on each request;
 * a route whose path is a fixed string is found here by that exact string, and gets the fields
 * the router would have set. The router decides which paths qualify: at start-up each fixed path
 * (for each of its route's methods, HEAD with GET) is matched through the router, and kept only
 * when the router's first answer is that route (not a parameter route registered before it).
 * Every other request (another spelling: "/a/", "/A"; a parameter; no route) goes on to the router.
 */
export function exactRoutes(router: Router) {
  const table = new Map<string, { layer: Layer; handler: Layer["stack"][number]; matched: Layer[] }>();
  for (const layer of router.stack) {
    const { path: fixed, stack } = layer;
    if (typeof fixed !== "string" || layer.paramNames.length > 0 || stack.length !== 1 || !layer.regexp.test(fixed)) continue;
    for (const method of layer.methods) {
      const match = router.match(fixed, method);
      const key = `${method} ${fixed}`;
      if (match.pathAndMethod[0] === layer && !table.has(key)) table.set(key, { layer, handler: stack[0]!, matched: match.path });
    }
  }
  return function routeExactPath(ctx: Context, next: Next): unknown {
    const hit = table.get(`${ctx.method} ${ctx.path}`);
    if (!hit) return next();
    const { layer } = hit;
    const fields = ctx as Context & RoutedFields;
    fields.matched = hit.matched.slice();
    fields.routeMatched = true;
    fields.router = router;
    fields.captures = [];
    fields.params = (ctx.request as Context["request"] & { params: Record<string, string> }).params = {};
    fields.routerPath = fields._matchedRoute = layer.path as string;
    fields.routerName = layer.name;
    if (layer.name) fields._matchedRouteName = layer.name;
    return hit.handler(ctx as never, next);
  };
}
