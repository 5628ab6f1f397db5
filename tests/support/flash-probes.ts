import path from "node:path";
import { z } from "zod";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import { MessageBag } from "masonite/validation";
import { View } from "masonite/views";

export const FIXTURE_TEMPLATES = path.resolve(__dirname, "..", "fixtures", "templates");

const Signup = z.object({
  email: z.string().email("That email does not look right"),
  age: z.coerce.number().int().min(18, "Adults only"),
  address: z.object({ city: z.string().min(1, "City is required") }),
});

/** Test-only routes for the flash helpers, validation and the template globals. */
export class FlashProbeController extends Controller {
  @inject()
  globals(view: View) {
    return view.render("globals");
  }

  @inject()
  errorsAs(response: Response, kind: string) {
    const errors =
      kind === "bag" ? new MessageBag().add("email", "Bag says no").add("email", "Second email message") :
      kind === "object" ? { email: ["Object says no"], name: "Name too" } :
      ["First plain message", "Second plain message"];
    return response.redirect("/_flash/globals").withErrors(errors);
  }

  @inject()
  success(response: Response) {
    return response.redirect().route("contact").withSuccess("It worked <b>really</b>");
  }

  @inject()
  input(response: Response) {
    return response.back().withInput().withErrors(["Try again"]);
  }

  @inject()
  validate(request: Request) {
    const result = request.validate(Signup);
    if (result.ok) return { ok: true, data: result.data, ageType: typeof result.data.age };
    return { ok: false, errors: result.errors.toJSON() };
  }
}

export const FLASH_ROUTES = [
  Route.get("/_flash/globals", [FlashProbeController, "globals"]),
  Route.post("/_flash/errors/@kind", [FlashProbeController, "errorsAs"]),
  Route.post("/_flash/success", [FlashProbeController, "success"]),
  Route.post("/_flash/input", [FlashProbeController, "input"]),
  Route.post("/_flash/validate", [FlashProbeController, "validate"]),
];
