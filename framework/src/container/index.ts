import "reflect-metadata";
import { container as tsyringeRoot, type DependencyContainer, type InjectionToken } from "tsyringe";
import { ConfigurationError, FrameworkError, sentence } from "../core/errors";
import type { RequestScope } from "./RequestScope";

export { injectable, singleton, inject as injectToken, type DependencyContainer } from "tsyringe";
export { RequestScope, type ContextValue, type ContextValues } from "./RequestScope";

const INJECTED = Symbol("masonite:inject");

/** Route parameters arrive as strings; these constructor types ask for one of them. */
const ROUTE_PARAM_TYPES = new Set<unknown>([String, Number, Boolean]);

/**
 * Marks a controller (or middleware) method for method injection: its parameter types,
 * emitted by TypeScript as `design:paramtypes`, are resolved from the request's
 * container; primitive-typed parameters receive the route parameters in order.
 */
export function inject(): MethodDecorator {
  return (target, propertyKey) => {
    Reflect.defineMetadata(INJECTED, true, target, propertyKey);
  };
}

/** A fresh root for one application, so two apps in one process never share bindings. */
export function createRootContainer(): DependencyContainer {
  return tsyringeRoot.createChildContainer();
}

type Constructor = abstract new (...args: never[]) => unknown;

/** What a method needs, worked out once at route registration and reused per request. */
export interface MethodPlan {
  readonly label: string;
  readonly parameters: ReadonlyArray<{ kind: "param"; type: unknown } | { kind: "service"; type: Constructor }>;
  readonly routeParamCount: number;
}

function typeName(type: unknown): string {
  return typeof type === "function" && type.name ? type.name : String(type);
}

/**
 * Reads a method's parameter types and checks them before any request arrives, so a
 * missing `@inject()` or an interface-typed parameter is a start-up error naming the place.
 */
export function planMethod(owner: Constructor, method: string): MethodPlan {
  const label = `${owner.name}.${method}`;
  const proto = owner.prototype as Record<string, unknown>;
  const fn = proto[method];
  if (typeof fn !== "function") {
    throw new ConfigurationError("E_METHOD_NOT_FOUND", `${label} does not exist: check the method name in the route.`);
  }
  const injected = Reflect.getMetadata(INJECTED, proto, method) === true;
  if (!injected) {
    if (fn.length > 0) {
      throw new ConfigurationError(
        "E_MISSING_INJECT",
        `${label} takes ${fn.length} parameter(s) but is not marked @inject(); add @inject() (from "masonite/container") above it so its parameters can be resolved by type.`,
      );
    }
    return { label, parameters: [], routeParamCount: 0 };
  }
  const types: unknown[] = Reflect.getMetadata("design:paramtypes", proto, method) ?? [];
  if (types.length < fn.length) {
    throw new ConfigurationError(
      "E_NO_DECORATOR_METADATA",
      `${label} has no parameter type metadata: run TypeScript with emitDecoratorMetadata (use "masonite/register", not an esbuild-based runner).`,
    );
  }
  const parameters = types.map((type, index) => {
    if (ROUTE_PARAM_TYPES.has(type)) return { kind: "param" as const, type };
    if (typeof type !== "function" || type === Object || type === Array || type === Function || type === Promise) {
      throw new ConfigurationError(
        "E_UNRESOLVABLE_PARAMETER",
        `Parameter ${index + 1} of ${label} has type ${typeName(type)}, which the container cannot build: interfaces, unions and type aliases erase to Object at runtime, so give it a class type.`,
      );
    }
    return { kind: "service" as const, type: type as Constructor };
  });
  return { label, parameters, routeParamCount: parameters.filter((p) => p.kind === "param").length };
}

/**
 * Builds the argument list for one call: the route parameters, already of their declared
 * types (routing coerces them), in order, and every other parameter resolved from the request's scope.
 */
export function resolveArguments(plan: MethodPlan, scope: Pick<RequestScope, "resolve">, routeParams: readonly unknown[]): unknown[] {
  let nextParam = 0;
  return plan.parameters.map((parameter, index) => {
    if (parameter.kind === "param") return routeParams[nextParam++];
    try {
      return scope.resolve(parameter.type as InjectionToken<unknown>);
    } catch (error) {
      // A coded error (a context value the request lacks, a service's own refusal) names its fix; the container's advice is for what tsyringe could not build.
      const advice = error instanceof FrameworkError ? "" : "mark the class @injectable() or register it in a provider. ";
      throw new FrameworkError(
        "E_UNRESOLVABLE_PARAMETER",
        sentence(`Cannot resolve parameter ${index + 1} (${typeName(parameter.type)}) of ${plan.label}: ${advice}${(error as Error).message}`),
        { cause: error },
      );
    }
  });
}
