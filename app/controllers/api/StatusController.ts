import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";

/** An example JSON API: routes/api.ts serves it under /api, with no session, cookie or CSRF token. */
export class StatusController extends Controller {
  show() {
    return { status: "ok" };
  }

  /** Answers with the JSON it was sent, as created. */
  @inject()
  echo(request: Request, response: Response) {
    return response.json({ received: request.all() }, 201);
  }
}
