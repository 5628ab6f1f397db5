import { parseCookie, stringifySetCookie } from "cookie";
import type { Context } from "koa";

export interface CookieOptions {
  path: string;
  domain?: string;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  httpOnly: boolean;
}

/** One cookie the session layer sets; `maxAge` 0 deletes it. Without maxAge it lasts the browser session. */
export interface CookieWrite {
  name: string;
  value: string;
  maxAge?: number;
}

/** Our own values are base64url or ids and need no decoding; a foreign cookie is left as it came. */
const AS_IS = { decode: (value: string) => value };
const JAR = Symbol("masonite.cookies");

/** A `Cookie` header's cookies; the first of two with one name wins, as browsers send the most specific first. */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const jar = new Map<string, string>();
  if (!header) return jar;
  for (const [name, value] of Object.entries(parseCookie(header, AS_IS))) if (name && value !== undefined) jar.set(name, value);
  return jar;
}

/** The request's cookies, parsed once per request. */
export function requestCookies(ctx: Context): ReadonlyMap<string, string> {
  const holder = ctx as unknown as Record<symbol, ReadonlyMap<string, string> | undefined>;
  return (holder[JAR] ??= parseCookies(ctx.get("Cookie")));
}

/** A `Set-Cookie` header value. */
export function serializeCookie(write: CookieWrite, options: CookieOptions): string {
  return stringifySetCookie({
    name: write.name,
    value: write.value,
    path: options.path,
    domain: options.domain,
    maxAge: write.maxAge,
    expires: write.maxAge === 0 ? new Date(0) : undefined,
    secure: options.secure,
    httpOnly: options.httpOnly,
    sameSite: options.sameSite,
  });
}
