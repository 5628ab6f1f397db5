import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Context } from "koa";
import { createRootContainer, injectable, injectToken, singleton, type DependencyContainer } from "masonite/container";
import { HttpContext, Request } from "masonite/request";
import { contextFor, testHttpApp } from "../../support/httpContext";

@injectable()
class Greeter {}

@injectable()
class GreetingBase {
  constructor(readonly greeter: Greeter, readonly request: Request) {}
}

/** Declares no constructor of its own, so its `length` is 0 like a class that takes nothing. */
@injectable()
class DerivedFromBase extends GreetingBase {}

@injectable()
class TwiceDerived extends DerivedFromBase {}

const fallbackGreeter = new Greeter();

@injectable()
class DefaultedGreeting {
  constructor(readonly greeter: Greeter = fallbackGreeter) {}
}

const GREETING = Symbol("greeting");

@injectable()
class DefaultedToken {
  constructor(@injectToken(GREETING) readonly greeting: string = "fallback") {}
}

@injectable()
class TokenBase {
  constructor(@injectToken(GREETING) readonly greeting: string) {}
}

@injectable()
class DerivedFromTokenBase extends TokenBase {}

@injectable()
class GreeterBase {
  constructor(readonly greeter: Greeter) {}
}

@singleton()
class SingletonDerived extends GreeterBase {}

class Plain {}

@injectable()
class PlainInjectable {}

@injectable()
class EmptyConstructor {
  constructor() {}
}

class Swapped extends Plain {}

/** A root container that counts the child containers made from it. */
function countingRoot(): { root: DependencyContainer; children: () => number } {
  const root = createRootContainer();
  let made = 0;
  const create = root.createChildContainer.bind(root);
  root.createChildContainer = () => {
    made++;
    return create();
  };
  return { root, children: () => made };
}

/** A request's context in an app whose table of context values lists Request, as an Application's does. */
function contextIn(root: DependencyContainer, name = "request"): HttpContext {
  return contextFor({ name } as unknown as Context, testHttpApp({ container: root, contextValues: new Map([[Request, (ctx: HttpContext) => ctx.request]]) }));
}

describe("RequestScope", () => {
  test("a class with no constructor of its own gets its injectable base's services, as tsyringe builds it", () => {
    const { root } = countingRoot();
    const greeter = new Greeter();
    root.register(Greeter, { useValue: greeter });
    for (const type of [DerivedFromBase, TwiceDerived]) {
      const ctx = contextIn(root, type.name);
      const { request } = ctx;
      const built = ctx.scope.resolve(type);
      assert.ok(built instanceof type);
      assert.equal(built.greeter, greeter, `${type.name} received the app's Greeter`);
      assert.equal(built.request, request, `${type.name} received this request's own Request`);
      assert.deepEqual(built, root.createChildContainer().register(Request, { useValue: request }).resolve(type), "the same object tsyringe makes");
    }
  });

  test("the child container reads the request's values from its context, made before or after it", () => {
    const { root } = countingRoot();
    const ctx = contextIn(root, "late");
    assert.ok(ctx.scope.container, "the child container is made before the Request is");
    assert.equal(ctx.scope.resolve(DerivedFromBase).request, ctx.request);
  });

  test("a type of the table that the context has no value for is a coded error, never undefined", () => {
    const { root } = countingRoot();
    const ctx = contextFor({} as unknown as Context, testHttpApp({ container: root, contextValues: new Map([[Greeter, () => undefined]]) }));
    assert.throws(() => ctx.scope.resolve(Greeter), { code: "E_NO_CONTEXT_VALUE" });
    assert.throws(() => ctx.scope.container.resolve(Greeter), { code: "E_NO_CONTEXT_VALUE" }, "nor through the child container");
  });

  test("default-valued constructor parameters are injected, not left to their defaults", () => {
    const { root } = countingRoot();
    const greeter = new Greeter();
    root.register(Greeter, { useValue: greeter });
    root.register(GREETING, { useValue: "hello from the container" });
    const scope = contextIn(root).scope;
    assert.equal(scope.resolve(DefaultedGreeting).greeter, greeter);
    assert.equal(scope.resolve(DefaultedToken).greeting, "hello from the container");
    assert.equal(scope.resolve(DerivedFromTokenBase).greeting, "hello from the container", "an @inject(token) parameter is inherited too");
  });

  test("@singleton() classes are built once, with their inherited services, and shared by every request", () => {
    const { root } = countingRoot();
    const instance = contextIn(root).scope.resolve(SingletonDerived);
    assert.ok(instance.greeter instanceof Greeter);
    assert.equal(contextIn(root).scope.resolve(SingletonDerived), instance);
    assert.equal(contextIn(createRootContainer()).scope.resolve(SingletonDerived), instance, "tsyringe keeps singletons in its global container");
  });

  test("a class registered in the root container is resolved through its registration, even one registered after a first resolve", () => {
    const { root } = countingRoot();
    const scope = contextIn(root).scope;
    assert.ok(scope.resolve(Plain) instanceof Plain);
    const swapped = new Swapped();
    root.register(Plain, { useValue: swapped });
    assert.equal(contextIn(root).scope.resolve(Plain), swapped);
    root.register(PlainInjectable, { useClass: Swapped });
    assert.ok(contextIn(root).scope.resolve(PlainInjectable) instanceof Swapped);
  });

  test("a class that takes nothing is constructed without a child container", () => {
    const { root, children } = countingRoot();
    for (const type of [Plain, PlainInjectable, EmptyConstructor]) {
      const { scope } = contextIn(root, type.name);
      assert.ok(scope.resolve(type) instanceof type);
      assert.ok(scope.resolve(type) instanceof type, "again, from the per-class cache");
    }
    assert.equal(children(), 0);
    contextIn(root, "derived").scope.resolve(DerivedFromBase);
    assert.equal(children(), 1, "a class with inherited constructor parameters does need one");
  });
});
