import { VerifyCsrfToken as BaseVerifyCsrfToken } from "masonite/sessions";

/** CSRF protection for every web route. List paths that must skip it (webhooks): "/webhooks/*". */
export class VerifyCsrfToken extends BaseVerifyCsrfToken {
  override exempt: string[] = [];
}
