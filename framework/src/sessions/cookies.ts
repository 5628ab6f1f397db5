import { stringifySetCookie } from "cookie";

export { parseCookies } from "../request/cookies";

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
