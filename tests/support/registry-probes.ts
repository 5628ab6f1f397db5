import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import { Session, SessionRegistry } from "masonite/sessions";
import { View } from "masonite/views";

/**
 * Test-only sign-in (the skeleton has no login) and the "active sessions" page of docs/sessions-registry.md:
 * signing in is what an app's login does, `session.regenerate(); session.set("user_id", ...)`.
 */
export class SignInProbeController extends Controller {
  @inject()
  signIn(session: Session, response: Response, user: string) {
    session.regenerate();
    session.set("user_id", user);
    return response.redirect().route("sessions.index");
  }
}

/** The example of docs/sessions-registry.md, as tested. */
export class ActiveSessionsController extends Controller {
  @inject()
  async index(view: View, session: Session, registry: SessionRegistry) {
    const user = session.get<string>("user_id");
    if (user === undefined) return view.render("signed-out");
    return view.render("active-sessions", { user, sessions: await registry.list(user, session) });
  }

  @inject()
  async revoke(session: Session, response: Response, registry: SessionRegistry, handle: string) {
    const user = session.get<string>("user_id");
    if (user !== undefined && (await registry.revoke(user, handle))) session.flash("success", "That device is signed out.");
    return response.redirect().route("sessions.index");
  }

  @inject()
  async revokeOthers(session: Session, response: Response, registry: SessionRegistry) {
    const user = session.get<string>("user_id");
    if (user !== undefined) session.flash("success", `Signed out ${await registry.revokeOthers(user, session)} other devices.`);
    return response.redirect().route("sessions.index");
  }
}

export const REGISTRY_ROUTES = [
  Route.get("/_auth/sign-in/@user", [SignInProbeController, "signIn"]),
  Route.get("/account/sessions", [ActiveSessionsController, "index"]).name("sessions.index"),
  Route.post("/account/sessions/others/revoke", [ActiveSessionsController, "revokeOthers"]).name("sessions.revoke-others"),
  Route.post("/account/sessions/@handle/revoke", [ActiveSessionsController, "revoke"]).name("sessions.revoke"),
];
