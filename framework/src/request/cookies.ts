import { parseCookie } from "cookie";

/** Our own values are base64url or ids and need no decoding; a foreign cookie is left as it came. */
const AS_IS = { decode: (value: string) => value };

/** A `Cookie` header's cookies; the first of two with one name wins, as browsers send the most specific first. */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const jar = new Map<string, string>();
  if (!header) return jar;
  for (const [name, value] of Object.entries(parseCookie(header, AS_IS))) if (name && value !== undefined) jar.set(name, value);
  return jar;
}
