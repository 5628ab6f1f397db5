import { timingSafeEqual } from "node:crypto";
import { FrameworkError } from "../core/errors";
import type { Middleware, Next } from "../middleware";
import type { HttpContext } from "../request/HttpContext";
import { requireSession } from "./context";

/** The form field that carries the token (`csrf_field()` writes it). */
export const CSRF_FIELD = "__token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sameToken(sent: unknown, expected: string): boolean {
  if (typeof sent !== "string") return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Which of the three ways a token check fails this was, and the fix for it (development's page and the log). */
function refusal(sent: unknown, noSession: boolean): string {
  if (sent === undefined) {
    return `No CSRF token was sent${noSession ? " (and no session cookie either)" : ""}: put {{ csrf_field() }} inside the <form>, send the X-CSRF-TOKEN header from scripts (its value is csrf_token()), or serve token-less JSON clients from the api group (routes/api.ts).`;
  }
  if (noSession) {
    return "A CSRF token was sent but no session cookie came with it (none, or one for a session that expired), so there is nothing to match: load the form's page first in the same client and post to the same host and port, so the session cookie it sets comes back.";
  }
  return "The CSRF token sent does not match this session's (a page opened before a sign-in or sign-out renewed the session, or from another session): reload the form's page and submit it again.";
}

/**
 * Rejects state-changing requests that do not carry the session's CSRF token, as the
 * `__token` form field or the `X-CSRF-TOKEN` header. The token is a random value of its
 * own, never the session id. Subclass it in the app and list `exempt` paths (a trailing
 * `*` matches a prefix) for webhooks and the like. A multipart form's body is not read yet
 * when this runs: a header-borne token is checked without reading it, so a refused upload
 * writes nothing to disk; without the header the body is read (its files spooled) first,
 * since a token inside it can only be checked after parsing.
 */
export class VerifyCsrfToken implements Middleware {
  exempt: string[] = [];

  // Not async: a request that passes costs no promise of its own; a thrown mismatch still rejects the chain.
  handle(ctx: HttpContext, next: Next): Promise<void> {
    const { koa } = ctx;
    if (SAFE_METHODS.has(koa.method) || this.#isExempt(koa.path)) return next();
    if (ctx.bodyPending && !koa.get("X-CSRF-TOKEN")) {
      return ctx.readBody().then(() => {
        this.#verify(ctx);
        return next();
      });
    }
    this.#verify(ctx);
    return next();
  }

  #verify(ctx: HttpContext): void {
    // A multipart body still pending has no field yet (its body is undefined): its header token is the one checked.
    const body = ctx.body as Record<string, unknown> | undefined;
    const sent = (body && typeof body === "object" ? body[CSRF_FIELD] : undefined) ?? (ctx.koa.get("X-CSRF-TOKEN") || undefined);
    const session = requireSession(ctx);
    if (!sameToken(sent, session.token())) {
      throw new FrameworkError("E_CSRF_TOKEN_MISMATCH", "The page expired or the form did not carry a valid CSRF token; reload the page and try again.", {
        status: 419,
        expose: true,
        detail: refusal(sent, session.isNew),
      });
    }
  }

  #isExempt(path: string): boolean {
    return this.exempt.some((pattern) => (pattern.endsWith("*") ? path.startsWith(pattern.slice(0, -1)) : path === pattern));
  }
}
