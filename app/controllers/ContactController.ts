import { z } from "zod";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Session } from "masonite/sessions";
import { View } from "masonite/views";

const ContactForm = z.object({
  name: z.string().trim().min(1, "Please tell us your name"),
  email: z.string().email("That email does not look right"),
  password: z.string().min(8, "The password needs at least 8 characters"),
});

export class ContactController extends Controller {
  @inject()
  show(view: View) {
    return view.render("contact");
  }

  @inject()
  store(request: Request, response: Response, session: Session) {
    const result = request.validate(ContactForm);
    if (!result.ok) return response.back().withErrors(result.errors).withInput();
    session.flash("success", `Thanks, ${result.data.name}!`);
    return response.redirect("/contact");
  }
}
