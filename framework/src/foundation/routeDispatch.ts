import type { Context, Next } from "koa";
import type { Layer, Router } from "@koa/router";

/**
 * What @koa/router puts on the context of a request it routes. `_matchedRoute` and
 * `_matchedRouteName` are the router's private fields (its dispatch writes them; the router
 * itself does not read them back), written here as it writes them, so middleware that read them
 * (a request log naming the matched route, say) see the same fields as under the router's own
 * dispatch. An upgrade of @koa/router must check these names; tests/routing-exact.test.ts asserts
 * what a middleware sees of them, for exact paths and parameter routes alike.
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

interface ExactHit {
  layer: Layer;
  handler: Layer["stack"][number];
  matched: Layer[];
  namedBy: Layer;
}

/** Whose name the router leaves in `_matchedRouteName`: the layer it runs, or else the last route that matched, when named. */
function namedBy(layer: Layer, matched: Layer[]): Layer {
  return layer.name ? layer : matched[matched.length - 1]!;
}

/** Writes the fields the router's dispatch writes before it runs `layer`, the first route that matched. */
function setRouted(ctx: Context, router: Router, layer: Layer, matched: Layer[], captures: string[], params: Record<string, string>, namedBy: Layer): void {
  const fields = ctx as Context & RoutedFields;
  fields.matched = matched;
  fields.routeMatched = true;
  fields.router = router;
  fields.captures = captures;
  fields.params = (ctx.request as Context["request"] & { params: Record<string, string> }).params = params;
  fields.routerPath = fields._matchedRoute = layer.path as string;
  fields.routerName = layer.name;
  if (namedBy.name) fields._matchedRouteName = namedBy.name;
}

/**
 * The app's routes dispatched with @koa/router's table and matching, without its per-request
 * middleware chain. The Application registers each route as one router layer with one handler
 * that answers without calling `next`, so of the layers the router would chain only the first
 * runs: this calls it directly, with the fields the router would have set, instead of composing
 * a chain on every request. A route whose path is a fixed string is found first by that exact
 * string, in a table per method, without testing every route's pattern; the router decides which
 * paths qualify: at start-up each fixed path (for each of its route's methods, HEAD with GET) is
 * matched through the router, and kept only when the router's first answer is that route (not a
 * parameter route registered before it). Anything else is matched by `router.match`; a request no
 * route answers goes on (to the router's allowedMethods: 404, or 405/501 with Allow) with
 * `ctx.matched` set as the router sets it.
 */
export function dispatchRoutes(router: Router) {
  const exact = new Map<string, Map<string, ExactHit>>();
  for (const layer of router.stack) {
    const { path: fixed, stack } = layer;
    if (typeof fixed !== "string" || layer.paramNames.length > 0 || stack.length !== 1 || !layer.regexp.test(fixed)) continue;
    for (const method of layer.methods) {
      const match = router.match(fixed, method);
      let paths = exact.get(method);
      if (!paths) exact.set(method, (paths = new Map()));
      if (match.pathAndMethod[0] === layer && !paths.has(fixed)) paths.set(fixed, { layer, handler: stack[0]!, matched: match.path, namedBy: namedBy(layer, match.pathAndMethod) });
    }
  }
  return function dispatchRoute(ctx: Context, next: Next): unknown {
    const { method, path } = ctx.http;
    const hit = exact.get(method)?.get(path);
    if (hit) {
      setRouted(ctx, router, hit.layer, hit.matched.slice(), [], {}, hit.namedBy);
      return hit.handler(ctx as never, next);
    }
    const match = router.match(path, method);
    if (!match.route) {
      const fields = ctx as Context & RoutedFields;
      fields.matched = match.path;
      fields.routeMatched = false;
      fields.router = router;
      return next();
    }
    const layer = match.pathAndMethod[0]!;
    const captures = layer.captures(path);
    setRouted(ctx, router, layer, match.path, captures, layer.params(path, captures), namedBy(layer, match.pathAndMethod));
    return layer.stack[0]!(ctx as never, next);
  };
}
