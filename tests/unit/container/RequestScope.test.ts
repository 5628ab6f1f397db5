import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Context } from "koa";
import { createRootContainer, injectable, injectToken, RequestScope, singleton, type DependencyContainer } from "masonite/container";
import { Request } from "masonite/request";

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

function requestFor(name: string): Request {
  return new Request({ name } as unknown as Context);
}

describe("RequestScope", () => {
  test("a class with no constructor of its own gets its injectable base's services, as tsyringe builds it", () => {
    const { root } = countingRoot();
    const greeter = new Greeter();
    root.register(Greeter, { useValue: greeter });
    for (const type of [DerivedFromBase, TwiceDerived]) {
      const scope = new RequestScope(root);
      const request = requestFor(type.name);
      scope.provide(Request, request);
      const built = scope.resolve(type);
      assert.ok(built instanceof type);
      assert.equal(built.greeter, greeter, `${type.name} received the app's Greeter`);
      assert.equal(built.request, request, `${type.name} received this request's own Request`);
      assert.deepEqual(built, root.createChildContainer().register(Request, { useValue: request }).resolve(type), "the same object tsyringe makes");
    }
  });

  test("the request's own values reach an inherited constructor when provided after the child container exists", () => {
    const { root } = countingRoot();
    const scope = new RequestScope(root);
    assert.ok(scope.container, "the child container is made before the request's values arrive");
    const request = requestFor("late");
    scope.provide(Request, request);
    assert.equal(scope.resolve(DerivedFromBase).request, request);
  });

  test("default-valued constructor parameters are injected, not left to their defaults", () => {
    const { root } = countingRoot();
    const greeter = new Greeter();
    root.register(Greeter, { useValue: greeter });
    root.register(GREETING, { useValue: "hello from the container" });
    const scope = new RequestScope(root);
    assert.equal(scope.resolve(DefaultedGreeting).greeter, greeter);
    assert.equal(scope.resolve(DefaultedToken).greeting, "hello from the container");
    assert.equal(scope.resolve(DerivedFromTokenBase).greeting, "hello from the container", "an @inject(token) parameter is inherited too");
  });

  test("@singleton() classes are built once, with their inherited services, and shared by every request", () => {
    const { root } = countingRoot();
    const instance = new RequestScope(root).resolve(SingletonDerived);
    assert.ok(instance.greeter instanceof Greeter);
    assert.equal(new RequestScope(root).resolve(SingletonDerived), instance);
    assert.equal(new RequestScope(createRootContainer()).resolve(SingletonDerived), instance, "tsyringe keeps singletons in its global container");
  });

  test("a class registered in the root container is resolved through its registration, even one registered after a first resolve", () => {
    const { root } = countingRoot();
    const scope = new RequestScope(root);
    assert.ok(scope.resolve(Plain) instanceof Plain);
    const swapped = new Swapped();
    root.register(Plain, { useValue: swapped });
    assert.equal(new RequestScope(root).resolve(Plain), swapped);
    root.register(PlainInjectable, { useClass: Swapped });
    assert.ok(new RequestScope(root).resolve(PlainInjectable) instanceof Swapped);
  });

  test("a class that takes nothing is constructed without a child container", () => {
    const { root, children } = countingRoot();
    for (const type of [Plain, PlainInjectable, EmptyConstructor]) {
      const scope = new RequestScope(root);
      scope.provide(Request, requestFor(type.name));
      assert.ok(scope.resolve(type) instanceof type);
      assert.ok(scope.resolve(type) instanceof type, "again, from the per-class cache");
    }
    assert.equal(children(), 0);
    const scope = new RequestScope(root);
    scope.provide(Request, requestFor("derived"));
    scope.resolve(DerivedFromBase);
    assert.equal(children(), 1, "a class with inherited constructor parameters does need one");
  });
});
