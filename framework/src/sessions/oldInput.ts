import { ConfigurationError } from "../core/errors";
import { isSecretName } from "../core/redaction";

/**
 * What `withInput()` keeps for `old()`: the request's input without secrets, at any depth.
 * A pattern is a field name (matched whole, case-insensitively), a RegExp tested against
 * each field name, or a function given each field name; arrays are walked, their indices are not names.
 */
export type FieldPattern = string | RegExp | ((name: string) => boolean);

/**
 * Fields never flashed: a redisplayed form must not put a secret into the session. The log's
 * rule for secret names, so what is never logged is never flashed either.
 */
export const DEFAULT_DONT_FLASH: readonly FieldPattern[] = [isSecretName];

/** A matcher for one list of patterns, built once. */
export function fieldMatcher(patterns: readonly FieldPattern[]): (name: string) => boolean {
  const stray = patterns.find((p) => typeof p !== "string" && typeof p !== "function" && !(p instanceof RegExp));
  if (stray !== undefined) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: DONT_FLASH holds ${String(stray)}, which is neither a field name, a RegExp nor a function.`);
  }
  const names = new Set(patterns.filter((p): p is string => typeof p === "string").map((p) => p.toLowerCase()));
  // Without "g" and "y": with them test() carries lastIndex over to the next field, and would let it through.
  const expressions = patterns.filter((p): p is RegExp => p instanceof RegExp).map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "")));
  const functions = patterns.filter((p): p is (name: string) => boolean => typeof p === "function");
  return (name) => names.has(name.toLowerCase()) || expressions.some((expression) => expression.test(name)) || functions.some((matches) => matches(name));
}

/** A copy of `value` without the fields `secret` matches, wherever they sit. */
export function withoutSecrets(value: unknown, secret: (name: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, secret));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  // "__proto__" is never input (request parsing refuses it) and would set the copy's prototype.
  for (const [name, item] of Object.entries(value)) if (name !== "__proto__" && !secret(name)) out[name] = withoutSecrets(item, secret);
  return out;
}
