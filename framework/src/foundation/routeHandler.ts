import type { Context } from "koa";
import compose from "koa-compose";
import type { DependencyContainer } from "tsyringe";
import { planMethod, resolveArguments } from "../container";
import { cannotBuild } from "../container/RequestScope";
import type { Middleware } from "../middleware";
import type { HttpContext } from "../request/HttpContext";
import { Response } from "../response";
import { coerceParams } from "../routes/params";
import type { RouteDefinition } from "../routes/Route";
import { View } from "../views/View";
import { ConfigurationError } from "../core/errors";

/** The route parameters of a method that takes none. */
const NO_PARAMS: readonly unknown[] = [];

/** Turns a controller's return value into the response body. */
function respond(ctx: Context, result: unknown): void {
  if (result instanceof Response) return;
  if (result instanceof View) {
    ctx.type = "html";
    ctx.body = result.toHtml();
  } else if (typeof result === "string") {
    ctx.type = "html";
    ctx.body = result;
  } else if (result !== undefined) {
    ctx.body = result;
  } else if (ctx.body == null && ctx.status === 404) {
    ctx.status = 204;
  }
}

/**
 * The Koa handler for one route: it puts the route on the request's HttpContext, runs the
 * route's middleware (built once, at start-up) with that context, reads a multipart body still
 * waiting, then calls the controller method with its route parameters coerced to their declared
 * types and its other parameters resolved by type from the request's scope. The method plan is
 * made once, here, at start-up.
 */
export function routeHandler(route: RouteDefinition, container: DependencyContainer, middleware: Middleware[], jsonErrors: boolean) {
  const [controller, method] = route.action;
  const plan = planMethod(controller, method);
  if (cannotBuild(controller, container)) {
    throw new ConfigurationError(
      "E_UNBUILDABLE_CONTROLLER",
      `${plan.label} cannot run: the constructor of ${controller.name} takes ${controller.length} parameter(s) but the class is not marked @injectable(), so the container cannot build it: add @injectable() (from "masonite/container") above the class, or register it in a provider.`,
    );
  }
  if (plan.routeParamCount > route.paramNames.length) {
    throw new ConfigurationError("E_ROUTE_PARAMS", `${plan.label} asks for ${plan.routeParamCount} route parameter(s) but the route has ${route.paramNames.length}: add @name segments to its path or take parameters out of the method.`);
  }
  const slots = plan.parameters.flatMap((parameter, index) => (parameter.kind === "param" ? [{ type: parameter.type, index }] : []));
  const { paramNames } = route;
  // A method that answers at once is responded to at once; only one that answers a promise is awaited (koa-compose makes the step a promise either way).
  const callController = (ctx: HttpContext): Promise<void> | void => {
    const { scope } = ctx;
    const instance = scope.resolve(controller as never) as Record<string, (...args: unknown[]) => unknown>;
    const params = slots.length === 0 ? NO_PARAMS : coerceParams(slots, paramNames.map((name) => ctx.params[name] ?? ""), plan.label);
    const result = instance[method]!(...resolveArguments(plan, scope, params));
    if (typeof (result as PromiseLike<unknown> | undefined)?.then !== "function") return respond(ctx.koa, result);
    return Promise.resolve(result).then((value) => respond(ctx.koa, value));
  };
  // A multipart body waits until the route's middleware let the request through: a refused one writes nothing to disk.
  // Any other request goes straight to its controller, without a promise of its own.
  const finish = (ctx: HttpContext): Promise<void> | void => (ctx.bodyPending ? ctx.readBody().then(() => callController(ctx)) : callController(ctx));
  const run = compose<HttpContext>([...middleware.map((instance) => (ctx: HttpContext, next: () => Promise<void>) => instance.handle(ctx, next)), finish]);
  return function handleRoute(koa: Context): Promise<void> {
    const ctx = koa.http;
    ctx.route = route;
    ctx.params = koa.params as Record<string, string>;
    ctx.jsonErrors = jsonErrors;
    return run(ctx);
  };
}
