import { applyPatch } from "./patch";
import type { OwnedSession, StoredData, SessionPatch, SessionRecord, SessionStore } from "../SessionStore";

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
 * Each owner's sessions are a set of ids, pruned when listed.
 */
export class MemoryStore implements SessionStore {
  #sessions = new Map<string, Entry>();
  #owners = new Map<string, Set<string>>();
  #sweeper = setInterval(() => this.#sweep(), SWEEP_EVERY_MS).unref();

  async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const entry = this.#live(id);
    if (!entry) return undefined;
    entry.expiresAt = Date.now() + ttl * 1000;
    return { data: JSON.parse(entry.json) as StoredData, createdAt: entry.createdAt };
  }

  async write(id: string, record: SessionRecord, ttl: number, owner?: string): Promise<void> {
    this.#sessions.set(id, { json: JSON.stringify(record.data), createdAt: record.createdAt, expiresAt: Date.now() + ttl * 1000 });
    if (owner !== undefined) this.#index(owner, id);
  }

  async patch(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<void> {
    const entry = this.#live(id);
    if (!entry) return; // ended meanwhile (expired or destroyed): nothing to change
    if (owner !== undefined) this.#index(owner, id);
    entry.json = JSON.stringify(applyPatch(JSON.parse(entry.json) as StoredData, patch));
    entry.expiresAt = Date.now() + ttl * 1000;
  }

  async destroy(id: string, owner?: string): Promise<void> {
    this.#sessions.delete(id);
    if (owner !== undefined) this.#unindex(owner, id);
  }

  async listOwner(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]> {
    const listed: OwnedSession[] = [];
    for (const id of this.#owners.get(owner) ?? []) {
      const entry = this.#live(id);
      const data = entry && (JSON.parse(entry.json) as StoredData);
      if (!entry || !data || !owns(data)) this.#unindex(owner, id);
      else listed.push({ id, data, createdAt: entry.createdAt, lastSeenAt: entry.expiresAt - ttl * 1000 });
    }
    return listed;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  #index(owner: string, id: string): void {
    const ids = this.#owners.get(owner);
    if (ids) ids.add(id);
    else this.#owners.set(owner, new Set([id]));
  }

  #unindex(owner: string, id: string): void {
    const ids = this.#owners.get(owner);
    if (ids?.delete(id) && ids.size === 0) this.#owners.delete(owner);
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
    // Owners nobody lists would otherwise keep the ids of their ended sessions for good.
    for (const [owner, ids] of this.#owners) {
      for (const id of ids) if (!this.#sessions.has(id)) ids.delete(id);
      if (ids.size === 0) this.#owners.delete(owner);
    }
  }
}
