import helmet, { type HelmetOptions } from "helmet";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "koa";
import { ConfigurationError } from "../core/errors";

/** helmet's own options (https://helmetjs.github.io): one key per header, `false` leaves it out. */
export type SecurityHeaderOptions = HelmetOptions;

/**
 * The skeleton's choices over helmet's defaults. The Referer stays on same-origin requests,
 * since `response.back()` reads it (helmet would send none). Upgrading requests to https and
 * HSTS only make sense on an https site: on plain http they would send the app's own forms
 * and stylesheets to a port that is not listening, and a browser that saw HSTS for localhost
 * refuses plain http on every port of it. Styles come from the site's own files only (helmet
 * would also allow any https: origin and inline styles); the debug pages add a nonce for theirs.
 */
export function securityHeaderDefaults(appUrl: string): SecurityHeaderOptions {
  const https = appUrl.startsWith("https:");
  return {
    contentSecurityPolicy: { directives: { "style-src": ["'self'"], "upgrade-insecure-requests": https ? [] : null } },
    strictTransportSecurity: https,
    xFrameOptions: { action: "sameorigin" },
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
  };
}

/** A CSP directive given as a function (a per-request nonce) makes the headers differ per request. */
function variesPerRequest(options: SecurityHeaderOptions): boolean {
  const csp = options.contentSecurityPolicy;
  const directives = csp && typeof csp === "object" ? Object.values(csp.directives ?? {}) : [];
  return directives.some((value) => typeof value === "function" || (Array.isArray(value) && value.some((item) => typeof item === "function")));
}

/**
 * helmet's headers as a function of the response: the error pages set them again on the
 * answer they build. helmet's middlewares are synchronous and report a failure (a CSP
 * directive function that returns a bad value) through their callback, so it is thrown here.
 * Headers that are the same for every request are worked out once and then only copied.
 */
export function securityHeaders(options: SecurityHeaderOptions): (ctx: Context) => void {
  let apply: ReturnType<typeof helmet>;
  try {
    apply = helmet(options);
  } catch (error) {
    throw new ConfigurationError("E_BAD_SECURITY_HEADERS", `helmet refuses HEADERS in config/security.ts (${(error as Error).message.replace(/\.$/, "")}): fix that option, as https://helmetjs.github.io describes.`, error);
  }
  const run = (req: IncomingMessage, res: ServerResponse) =>
    apply(req, res, (error) => {
      if (error) throw error;
    });
  if (variesPerRequest(options)) return (ctx) => run(ctx.req, ctx.res);
  const recorded = new Map<string, string | number | readonly string[]>();
  const removed: string[] = [];
  run({} as IncomingMessage, {
    setHeader: (name: string, value: string | number | readonly string[]) => recorded.set(name, value),
    removeHeader: (name: string) => removed.push(name),
  } as unknown as ServerResponse);
  const headers = [...recorded];
  return (ctx) => {
    for (const name of removed) ctx.res.removeHeader(name);
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
  };
}
