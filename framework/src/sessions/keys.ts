/**
 * Every name the framework keeps inside a session. They all start with "__", a prefix the
 * app's own keys may not use (Session refuses it), so the two can never collide; nothing
 * outside this module spells them. (The CSRF token's form field, `__token`, is a request field,
 * named by VerifyCsrfToken, not a session key.)
 */
export const RESERVED_PREFIX = "__";

/** The keys the previous request flashed: they die when this one ends. */
export const FLASH_KEY = "__flash";
/** The session's CSRF token. */
export const TOKEN_KEY = "__token";
/** The input `withInput()` flashed, for `old()`. */
export const OLD_INPUT_KEY = "__old_input";
/** Stores that keep the session as fields (redis) record its creation time under this one. */
export const CREATED_FIELD = "__created";

/**
 * Who the session was started by, for listing a user's sessions: `{ ip, agent }`, the IP and
 * a short user-agent summary of the request that created (or regenerated) it. The session
 * layer writes it, not the Session, which never loads it.
 */
export const CLIENT_KEY = "__client";

/** The reserved keys a Session loads and keeps; any other "__" key a store holds is ignored. */
export const SESSION_KEYS: ReadonlySet<string> = new Set([FLASH_KEY, TOKEN_KEY, OLD_INPUT_KEY]);

export function isReserved(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}
