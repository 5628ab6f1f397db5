import type { Context } from "koa";
import type { RouteTable } from "../routes/RouteTable";

/**
 * Builds the HTTP answer. Methods chain and return the Response, so a controller can
 * `return response.back().withErrors(errors).withInput()` (sessions adds the `with...` methods).
 */
export class Response {
  readonly ctx: Context;
  readonly #routes: RouteTable;

  constructor(ctx: Context, routes: RouteTable) {
    this.ctx = ctx;
    this.#routes = routes;
  }

  status(code: number): this {
    this.ctx.status = code;
    return this;
  }

  header(name: string, value: string): this {
    this.ctx.set(name, value);
    return this;
  }

  json(data: unknown, status = 200): this {
    this.ctx.status = status;
    this.ctx.body = data;
    return this;
  }

  html(content: string, status = 200): this {
    this.ctx.status = status;
    this.ctx.type = "html";
    this.ctx.body = content;
    return this;
  }

  /** `redirect("/login")`, or `redirect().route("users.show", { id })` for a named route. */
  redirect(location?: string, status = 302): this {
    this.ctx.status = status;
    if (location !== undefined) this.ctx.set("Location", location);
    return this;
  }

  route(name: string, params?: Record<string, string | number>): this {
    if (this.ctx.status < 300 || this.ctx.status >= 400) this.ctx.status = 302;
    this.ctx.set("Location", this.#routes.url(name, params));
    return this;
  }

  /** Redirects to the page the form came from; a Referer of another origin falls back to "/". */
  back(fallback = "/"): this {
    return this.redirect(sameOriginPath(this.ctx) ?? fallback);
  }
}

/**
 * A path that starts with exactly one slash. "//host" and "/\\host" in a Location header are
 * read by browsers as another host, so a path beginning with either is never followed.
 */
const SINGLE_SLASH_PATH = /^\/(?![/\\])/;

/**
 * The Referer's path and query when it is this site's, else undefined. The URL parser has
 * already resolved dot segments ("/..//x" -> "//x") and backslashes; the path is checked both
 * as sent and percent-decoded ("/%2F%2Fevil"), and one that does not decode is refused.
 */
function sameOriginPath(ctx: Context): string | undefined {
  const referer = ctx.get("Referer");
  if (!referer) return undefined;
  try {
    const target = new URL(referer);
    if (target.host !== ctx.host) return undefined;
    const { pathname } = target;
    if (!SINGLE_SLASH_PATH.test(pathname) || !SINGLE_SLASH_PATH.test(decodeURIComponent(pathname))) return undefined;
    return pathname + target.search;
  } catch {
    return undefined; // not a URL, or a path whose %-escapes do not decode
  }
}
