import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inject, injectable } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import { Session } from "masonite/sessions";
import { TestClient } from "masonite/testing";
import { View } from "masonite/views";
import { Greeter } from "../app/services/Greeter";
import { Application, Provider } from "masonite/foundation";
import { startApp, testKernel } from "./support/app";

@injectable()
class AdminBase extends Controller {
  constructor(readonly greeter: Greeter, readonly request: Request, readonly response: Response, readonly view: View, readonly session: Session) {
    super();
  }
}

/** Declares no constructor, so everything it has comes from AdminBase's. */
@injectable()
class AdminController extends AdminBase {
  @inject()
  show(request: Request, response: Response, view: View, session: Session) {
    return {
      greeter: typeof this.greeter,
      hello: this.greeter?.hello() ?? null,
      sameRequest: this.request === request,
      sameResponse: this.response === response,
      sameView: this.view === view,
      sameSession: this.session === session,
      tag: this.request?.input("tag") ?? null,
    };
  }
}

class TypedParamsController extends Controller {
  @inject()
  user(id: number) {
    return { id, type: typeof id };
  }

  @inject()
  flag(on: boolean) {
    return { on };
  }
}

const ROUTES = [
  Route.get("/_di/admin", [AdminController, "show"]),
  Route.get("/_di/users/@id", [TypedParamsController, "user"]),
  Route.get("/_di/flags/@on", [TypedParamsController, "flag"]),
];

const JSON_ACCEPT = { headers: { accept: "application/json" } };

describe("container: constructor injection and typed route parameters over HTTP", () => {
  let app: TestClient;
  before(async () => {
    app = await startApp({ routes: ROUTES });
  });
  after(() => app.close());

  test("a controller that inherits its injectable base's constructor gets the base's services and this request's own values", async () => {
    const [first, second] = await Promise.all([app.get("/_di/admin?tag=one", JSON_ACCEPT), app.get("/_di/admin?tag=two", JSON_ACCEPT)]);
    const expected = { greeter: "object", hello: "Hello from an injected service", sameRequest: true, sameResponse: true, sameView: true, sameSession: true };
    assert.deepEqual(first.assertOk().json(), { ...expected, tag: "one" });
    assert.deepEqual(second.assertOk().json(), { ...expected, tag: "two" });
  });

  test("a number parameter takes decimal numbers and answers 404 for anything else", async () => {
    for (const [raw, id] of [["17", 17], ["-7", -7], ["1.5", 1.5], ["007", 7]] as const) {
      assert.deepEqual((await app.get(`/_di/users/${raw}`, JSON_ACCEPT)).assertOk().json(), { id, type: "number" }, raw);
    }
    for (const raw of ["abc", "12abc", "1e3", "0x10", "Infinity", "NaN", "1.", ".5", "+1", "%201", "1%20", "--1"]) {
      const res = await app.get(`/_di/users/${raw}`, JSON_ACCEPT);
      res.assertStatus(404);
      assert.equal(res.json<{ error: { code?: string } }>().error.code, "E_ROUTE_PARAM_TYPE", raw);
    }
    (await app.get("/_di/users/abc")).assertStatus(404).assertSee("Page not found");
  });

  test("the 404 for a mistyped parameter tells the developer which one, in debug mode only", async () => {
    const visitor = (await app.get("/_di/users/abc", JSON_ACCEPT)).json<{ error: { message: string } }>();
    assert.equal(visitor.error.message, "Page not found");
    const debugApp = await startApp({ routes: ROUTES, app: { DEBUG: true } });
    try {
      const developer = (await debugApp.get("/_di/users/abc", JSON_ACCEPT)).assertStatus(404).json<{ error: { message: string } }>();
      assert.match(developer.error.message, /^Parameter 1 of TypedParamsController\.user is a number but the URL has "abc" there: .*\.$/);
    } finally {
      await debugApp.close();
    }
  });

  test("a boolean parameter takes true, false, 1 and 0 and answers 404 for anything else", async () => {
    for (const [raw, on] of [["true", true], ["1", true], ["false", false], ["0", false]] as const) {
      assert.deepEqual((await app.get(`/_di/flags/${raw}`, JSON_ACCEPT)).assertOk().json(), { on }, raw);
    }
    for (const raw of ["yes", "no", "TRUE", "False", "2", "01", "on"]) {
      const res = await app.get(`/_di/flags/${raw}`, JSON_ACCEPT);
      res.assertStatus(404);
      assert.equal(res.json<{ error: { code?: string } }>().error.code, "E_ROUTE_PARAM_TYPE", raw);
    }
  });
});

class ApiSessionController extends Controller {
  @inject()
  show(session: Session) {
    return { token: session.token() };
  }
}

describe("container: values read from the request's context", () => {
  test("a Session parameter on a route without SessionMiddleware is a coded error naming the fix, never undefined", async () => {
    const kernel = testKernel({ app: { DEBUG: true } });
    const app = await TestClient.start({ ...kernel, routes: [...kernel.routes, ...Route.group([Route.get("/_di/api-session", [ApiSessionController, "show"])], { prefix: "/api", middleware: ["api"] })] });
    try {
      const res = await app.get("/api/_di/api-session", JSON_ACCEPT);
      res.assertStatus(500);
      const { error } = res.json<{ error: { code?: string; message: string } }>();
      assert.equal(error.code, "E_UNRESOLVABLE_PARAMETER");
      assert.match(error.message, /Cannot resolve parameter 1 \(Session\) of ApiSessionController\.show: .*No session on GET \/api\/_di\/api-session: its route's middleware group must run SessionMiddleware/);
      assert.doesNotMatch(error.message, /@injectable|register it in a provider/, "a context value's own fix, not the container's");
    } finally {
      await app.close();
    }
  });

  test("two providers listing one type as a context value stop start-up", async () => {
    const kernel = testKernel();
    class SecondSessions extends Provider<Application> {
      override register(app: Application): void {
        app.contextValue(Session, (ctx) => ctx.session);
      }
    }
    await assert.rejects(Application.create({ ...kernel, providers: [...(kernel.providers ?? []), SecondSessions] }), { code: "E_DUPLICATE_CONTEXT_VALUE" });
  });
});
