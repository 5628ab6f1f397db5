import { parse } from "node:querystring";

/**
 * A query string's parameters (without the leading "?"), as Koa's `ctx.query` reads them: a
 * repeated name gives an array, "+" is a space, a malformed escape stays as sent, and no limit
 * on the number of keys (the URL's length bounds them). Node's querystring parser gives the same
 * answer several times faster than the URLSearchParams Koa builds, and a null-prototype object.
 * Koa hands URLSearchParams the query of a URL such as "/p??a=1" as "?a=1", and it drops that "?".
 */
export function parseQuery(query: string): Record<string, string | string[]> {
  return parse(query.startsWith("?") ? query.slice(1) : query, "&", "=", { maxKeys: 0 }) as Record<string, string | string[]>;
}
