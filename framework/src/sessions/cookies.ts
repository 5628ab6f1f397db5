import type { Context } from "koa";

export interface CookieOptions {
  path: string;
  domain?: string;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  httpOnly: boolean;
}

/**
 * Request cookies parsed once per request. Our own values are base64url or ids, so no
 * decoding is needed; foreign cookies pass through untouched.
 */
export function requestCookies(ctx: Context): Map<string, string> {
  const cached = ctx.state.cookieJar as Map<string, string> | undefined;
  if (cached) return cached;
  const jar = new Map<string, string>();
  const header = ctx.get("Cookie");
  if (header) {
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim();
      if (name && !jar.has(name)) jar.set(name, part.slice(eq + 1).trim());
    }
  }
  ctx.state.cookieJar = jar;
  return jar;
}

/** Appends one Set-Cookie header; `maxAge` 0 deletes the cookie. */
export function setCookie(ctx: Context, name: string, value: string, options: CookieOptions, maxAge?: number): void {
  let header = `${name}=${value}; Path=${options.path}`;
  if (options.domain) header += `; Domain=${options.domain}`;
  if (maxAge !== undefined) header += `; Max-Age=${maxAge}` + (maxAge === 0 ? "; Expires=Thu, 01 Jan 1970 00:00:00 GMT" : "");
  if (options.secure) header += "; Secure";
  if (options.httpOnly) header += "; HttpOnly";
  header += `; SameSite=${options.sameSite[0]!.toUpperCase()}${options.sameSite.slice(1)}`;
  ctx.append("Set-Cookie", header);
}
