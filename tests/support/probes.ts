import { inject, injectable } from "masonite/container";
import { Controller } from "masonite/controllers";
import { HttpContext, Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import { Session } from "masonite/sessions";
import { View } from "masonite/views";
import { Greeter } from "../../app/services/Greeter";

/** Numbers objects so a test can tell whether two requests got the same instance. */
const serials = new WeakMap<object, number>();
let nextSerial = 1;
function serial(value: object): number {
  if (!serials.has(value)) serials.set(value, nextSerial++);
  return serials.get(value)!;
}

/** Needs a constructor argument but is not @injectable(): the container cannot build it. */
export class NotInjectable {
  constructor(readonly name: string) {}
}

/** A service with constructor injection, proving app services can receive request-scoped ones too. */
@injectable()
export class RequestScopedThing {
  constructor(readonly request: Request) {}
}

/** Test-only routes probing the kernel: injection, scoping, return values, errors. */
export class ProbeController extends Controller {
  @inject()
  async scoped(request: Request, response: Response, view: View, session: Session, greeter: Greeter, thing: RequestScopedThing) {
    const delay = Number(request.input("delay", "0"));
    const tag = String(request.input("tag", ""));
    await new Promise((resolve) => setTimeout(resolve, delay));
    return {
      tag,
      seenTag: request.input("tag"),
      request: serial(request),
      response: serial(response),
      view: serial(view),
      session: serial(session),
      greeter: greeter.hello(),
      serviceSawSameRequest: thing.request === request,
    };
  }

  @inject()
  params(name: string, count: number, request: Request) {
    return { name, count, typeOfCount: typeof count, param: request.param("name") };
  }

  async boom(): Promise<never> {
    throw new Error("kaboom: the controller failed");
  }

  @inject()
  unbuildable(_thing: NotInjectable) {
    return "never";
  }

  text() {
    return "<p>plain string is html</p>";
  }

  list() {
    return [1, 2, 3];
  }

  nothing() {
    return undefined;
  }

  @inject()
  redirectNamed(response: Response) {
    return response.redirect().route("users.show", { id: "a b" });
  }

  @inject()
  back(response: Response) {
    return response.back();
  }

  @inject()
  status(response: Response) {
    return response.status(201).header("X-Probe", "yes").json({ created: true }, 201);
  }

  @inject()
  urls(ctx: HttpContext) {
    return { user: ctx.urlFor("users.show", { id: 7 }), welcome: ctx.urlFor("welcome") };
  }

  @inject()
  echo(request: Request) {
    return { all: request.all(), only: request.only("a", "missing"), header: request.header("x-probe") ?? null, method: request.method, path: request.path };
  }
}

export const PROBE_ROUTES = [
  Route.get("/_probe/scoped", [ProbeController, "scoped"]),
  Route.get("/_probe/params/@name/@count", [ProbeController, "params"]),
  Route.get("/_probe/boom", [ProbeController, "boom"]),
  Route.get("/_probe/unbuildable", [ProbeController, "unbuildable"]),
  Route.get("/_probe/text", [ProbeController, "text"]),
  Route.get("/_probe/list", [ProbeController, "list"]),
  Route.get("/_probe/nothing", [ProbeController, "nothing"]),
  Route.get("/_probe/redirect-named", [ProbeController, "redirectNamed"]),
  Route.get("/_probe/back", [ProbeController, "back"]),
  Route.get("/_probe/status", [ProbeController, "status"]),
  Route.get("/_probe/urls", [ProbeController, "urls"]),
  Route.post("/_probe/echo", [ProbeController, "echo"]),
  Route.put("/_probe/echo", [ProbeController, "echo"]),
];
