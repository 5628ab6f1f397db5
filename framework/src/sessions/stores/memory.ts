import { SessionConflict } from "../errors";
import type { StoredData, SessionPatch, SessionRecord, SessionStore } from "../SessionStore";

interface Entry {
  /** Kept as JSON, so no caller ever shares an object with the store. */
  json: string;
  createdAt: number;
  expiresAt: number;
}

/** How often expired sessions are dropped, so sessions nobody comes back for do not pile up. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Sessions in this process's memory: for tests and single-process development. They are
 * gone when the process stops and are not shared between workers. Patches apply atomically
 * (the process runs one at a time), so concurrent requests lose nothing, as on Redis.
 */
export class MemoryStore implements SessionStore {
  #sessions = new Map<string, Entry>();
  #sweeper = setInterval(() => this.#sweep(), SWEEP_EVERY_MS).unref();

  async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const entry = this.#live(id);
    if (!entry) return undefined;
    entry.expiresAt = Date.now() + ttl * 1000;
    return { data: JSON.parse(entry.json) as StoredData, createdAt: entry.createdAt };
  }

  async write(id: string, record: SessionRecord, ttl: number): Promise<void> {
    this.#sessions.set(id, { json: JSON.stringify(record.data), createdAt: record.createdAt, expiresAt: Date.now() + ttl * 1000 });
  }

  async patch(id: string, patch: SessionPatch, ttl: number): Promise<void> {
    const entry = this.#live(id);
    if (!entry) return; // ended meanwhile (expired or destroyed): nothing to change
    const data = JSON.parse(entry.json) as StoredData;
    for (const [key, by] of patch.increments) {
      // Own keys only: "toString" is a session key like any other, not Object.prototype's.
      const current = Object.hasOwn(data, key) ? data[key] : 0;
      if (typeof current !== "number") throw new SessionConflict(key);
      data[key] = current + by;
    }
    for (const key of patch.deleted) delete data[key];
    for (const [key, value] of patch.set) data[key] = value;
    entry.json = JSON.stringify(data);
    entry.expiresAt = Date.now() + ttl * 1000;
  }

  async destroy(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  #live(id: string): Entry | undefined {
    const entry = this.#sessions.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.#sessions) if (entry.expiresAt <= now) this.#sessions.delete(id);
  }
}
