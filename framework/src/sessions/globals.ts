import type { HttpContext } from "../request/HttpContext";
import { MessageBag } from "../validation/MessageBag";
import "./context";
import { CSRF_FIELD } from "./VerifyCsrfToken";

const NO_ERRORS = new MessageBag();

/**
 * Template globals that come from the request's session: `session()`, `errors`,
 * `old(field)`, `csrf_token()` and `csrf_field()`. Requests outside a group that starts
 * sessions get an empty `errors` and `old()` so shared layouts render. `safe` marks HTML the
 * template engine must not escape.
 */
export function sessionGlobals(ctx: HttpContext, safe: (html: string) => unknown): Record<string, unknown> {
  const { session } = ctx;
  if (!session) return { errors: NO_ERRORS, old: (_field: string, fallback = "") => fallback };
  return {
    session: () => session,
    errors: MessageBag.from(session.get("errors")),
    old: (field: string, fallback: unknown = "") => session.old(field, fallback),
    csrf_token: () => session.token(),
    csrf_field: () => safe(`<input type="hidden" name="${CSRF_FIELD}" value="${session.token()}">`),
  };
}
