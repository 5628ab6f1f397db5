import { SessionConflict } from "../errors";
import type { SessionPatch, StoredData } from "../SessionStore";

/**
 * A request's key-level changes applied to a copy of stored data, for stores that patch by
 * reading and rewriting. Every increment is checked before anything changes: a key that no
 * longer holds a number refuses the whole patch, as the redis store's script does.
 */
export function applyPatch(data: StoredData, patch: SessionPatch): StoredData {
  for (const key of patch.increments.keys()) {
    // Own keys only: "toString" is a session key like any other, not Object.prototype's.
    const current = Object.hasOwn(data, key) ? data[key] : 0;
    if (typeof current !== "number") throw new SessionConflict(key);
  }
  for (const [key, by] of patch.increments) data[key] = ((Object.hasOwn(data, key) ? data[key] : 0) as number) + by;
  for (const key of patch.deleted) delete data[key];
  for (const [key, value] of patch.set) data[key] = value;
  return data;
}
