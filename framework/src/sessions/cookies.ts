import { stringifySetCookie } from "cookie";

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

/** Characters the cookie package's encoding leaves as they are and a cookie value may hold: base64url, and the "." of a chunk. */
const PLAIN_VALUE = /^[\w.-]*$/;

/**
 * `serializeCookie` for one set of options, made once: a cookie without maxAge whose value
 * needs no encoding (every token the session layer writes) gets the attributes the cookie
 * package wrote for these options at start-up; anything else goes through the package.
 */
export function cookieSerializer(options: CookieOptions): (write: CookieWrite) => string {
  const attributes = serializeCookie({ name: "x", value: "" }, options).slice("x=".length);
  return (write) => (write.maxAge === undefined && PLAIN_VALUE.test(write.value) ? `${write.name}=${write.value}${attributes}` : serializeCookie(write, options));
}

/** Browsers drop a cookie over 4096 bytes (name and attributes included) without a word. */
const CHUNK_SIZE = 3800;
/** The first cookie of a split token: `<count>.<first part>`. An id (base64url, no dot) never looks like one. */
const CHUNKED = /^(\d{1,2})\.(.*)$/;

/**
 * Bytes a browser sends back in the Cookie header for a token of `length` characters carried
 * in cookies named `name`, `name.1` ...: each chunk's name=value and the "; " between them.
 */
export function cookieBytes(name: string, length: number): number {
  const count = Math.ceil(length / CHUNK_SIZE);
  if (count <= 1) return name.length + 1 + length;
  let bytes = name.length + 1 + `${count}.`.length + length;
  for (let i = 1; i < count; i++) bytes += 2 + `${name}.${i}=`.length;
  return bytes;
}

/**
 * The token the cookies named `name` carry, reassembled from its chunks when it was split;
 * undefined when there is none. A chunk gone missing gives "", which no store accepts.
 */
export function readToken(jar: ReadonlyMap<string, string>, name: string): string | undefined {
  const first = jar.get(name);
  if (!first) return undefined;
  const chunked = CHUNKED.exec(first);
  if (!chunked) return first;
  const count = Number(chunked[1]);
  let token = chunked[2]!;
  for (let i = 1; i < count; i++) {
    const part = jar.get(`${name}.${i}`);
    if (part === undefined) return "";
    token += part;
  }
  return token;
}

/**
 * The cookies that carry `token` under `name`: one when it fits, else `<count>.<part>` then
 * `<name>.1` ...; chunks the jar holds from a longer token are deleted, or they would linger.
 */
export function tokenCookies(name: string, token: string, jar: ReadonlyMap<string, string>): CookieWrite[] {
  const count = Math.ceil(token.length / CHUNK_SIZE);
  const writes: CookieWrite[] = [];
  if (count <= 1) {
    writes.push({ name, value: token });
  } else {
    writes.push({ name, value: `${count}.${token.slice(0, CHUNK_SIZE)}` });
    for (let i = 1; i < count; i++) writes.push({ name: `${name}.${i}`, value: token.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE) });
  }
  for (const existing of jar.keys()) {
    if (existing.startsWith(`${name}.`) && Number(existing.slice(name.length + 1)) >= Math.max(count, 1)) writes.push({ name: existing, value: "", maxAge: 0 });
  }
  return writes;
}
