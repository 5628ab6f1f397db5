import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Session } from "masonite/sessions";
import { View } from "masonite/views";
import { Greeter } from "../services/Greeter";

export class WelcomeController extends Controller {
  @inject()
  show(view: View, request: Request, greeter: Greeter, session: Session) {
    const visits = session.increment("visits");
    return view.render("welcome", { name: request.input("name", "world"), hello: greeter.hello(), visits });
  }

  @inject()
  user(request: Request, id: string) {
    return { id, q: request.input("q") ?? null };
  }
}
