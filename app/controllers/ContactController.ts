import type * as Zod from "zod";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Session } from "masonite/sessions";
import { View } from "masonite/views";

/**
 * The contact form's rules, built when the first form is submitted: zod is required here rather
 * than imported at the top because loading it costs about 100 ms of CPU, which starting the app
 * and showing a page never need.
 */
function buildContactForm() {
  const { z } = require("zod") as typeof Zod;
  return z.object({
    name: z.string().trim().min(1, "Please tell us your name"),
    email: z.string().email("That email does not look right"),
    password: z.string().min(8, "The password needs at least 8 characters"),
  });
}
let contactForm: ReturnType<typeof buildContactForm> | undefined;

export class ContactController extends Controller {
  @inject()
  show(view: View) {
    return view.render("contact");
  }

  @inject()
  store(request: Request, response: Response, session: Session) {
    const result = request.validate((contactForm ??= buildContactForm()));
    if (!result.ok) return response.back().withErrors(result.errors).withInput();
    session.flash("success", `Thanks, ${result.data.name}!`);
    return response.redirect("/contact");
  }
}
