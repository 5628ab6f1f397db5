import { Response } from "../response";
import { MessageBag, type ErrorsInput } from "../validation/MessageBag";
import { requireSession } from "./context";

declare module "../response" {
  interface Response {
    /** Flashes validation errors under `errors` for the next request. */
    withErrors(errors: ErrorsInput): this;
    /**
     * Flashes the request's input so `old()` can refill the form: secrets (config/session.ts
     * DONT_FLASH) are left out, and so are the largest fields when the session would outgrow its store.
     */
    withInput(): this;
    /** Flashes a success message under `success` for the next request. */
    withSuccess(message: string): this;
  }
}

// Session features on the Response (`response.back().withErrors(errors).withInput()`): response/ knows no sessions.
Response.prototype.withErrors = function withErrors(errors: ErrorsInput) {
  requireSession(this.ctx.http).flash("errors", MessageBag.from(errors).toJSON());
  return this;
};

Response.prototype.withInput = function withInput() {
  // The body as BodyReader cleaned it: no prototype-polluting keys, bounded depth.
  const { body } = this.ctx.http;
  requireSession(this.ctx.http).flashInput(body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
  return this;
};

Response.prototype.withSuccess = function withSuccess(message: string) {
  requireSession(this.ctx.http).flash("success", message);
  return this;
};
