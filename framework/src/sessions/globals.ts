import nunjucks from "nunjucks";
import type { Context } from "koa";
import { MessageBag } from "../validation/MessageBag";
import type { Session } from "./Session";

const NO_ERRORS = new MessageBag();

/**
 * Template globals that come from the request's session: `session()`, `errors`,
 * `old(field)`, `csrf_token()` and `csrf_field()`. Requests outside the "web" group have
 * no session; they still get an empty `errors` and `old()` so shared layouts render.
 */
export function sessionGlobals(ctx: Context): Record<string, unknown> {
  const session = ctx.state.session as Session | undefined;
  if (!session) return { errors: NO_ERRORS, old: (_field: string, fallback = "") => fallback };
  return {
    session: () => session,
    errors: MessageBag.from(session.get("errors")),
    old: (field: string, fallback: unknown = "") => session.old(field, fallback),
    csrf_token: () => session.token(),
    csrf_field: () => new nunjucks.runtime.SafeString(`<input type="hidden" name="__token" value="${session.token()}">`),
  };
}
