import { ConfigurationError } from "../core/errors";

/**
 * What `withInput()` keeps for `old()`: the request's input without secrets, at any depth.
 * A pattern is a field name (matched whole, case-insensitively) or a RegExp tested against
 * each field name; arrays are walked, their indices are not names.
 */
export type FieldPattern = string | RegExp;

/** Fields never flashed: a redisplayed form must not put a secret into the session. */
export const DEFAULT_DONT_FLASH: readonly FieldPattern[] = [
  /pass(word|wd|phrase)/i, // password, new_password, current_password, password_confirmation, passwd
  /secret/i,
  /token$/i, // __token (CSRF), api_token, reset_token
  /^(cc|cvv|cvc|cvv2|card_?number|cc_?number|credit_?card|card_?cvc|security_?code)$/i,
  /^(ssn|otp|totp)$/i,
];

/** A matcher for one list of patterns, built once. */
export function fieldMatcher(patterns: readonly FieldPattern[]): (name: string) => boolean {
  const stray = patterns.find((p) => typeof p !== "string" && !(p instanceof RegExp));
  if (stray !== undefined) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: DONT_FLASH holds ${String(stray)}, which is neither a field name nor a RegExp.`);
  }
  const names = new Set(patterns.filter((p): p is string => typeof p === "string").map((p) => p.toLowerCase()));
  // Without "g" and "y": with them test() carries lastIndex over to the next field, and would let it through.
  const expressions = patterns.filter((p): p is RegExp => p instanceof RegExp).map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "")));
  return (name) => names.has(name.toLowerCase()) || expressions.some((expression) => expression.test(name));
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
