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
import { startApp } from "./support/app";

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

const ROUTES = [
  Route.get("/_di/admin", [AdminController, "show"]),
];

const JSON_ACCEPT = { headers: { accept: "application/json" } };

describe("container: constructor injection over HTTP", () => {
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
});
