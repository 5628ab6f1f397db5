import type { Logger } from "../../core/logger";
import { applyPatch } from "./patch";
import type { OwnedSession, StoredData, SessionPatch, SessionRecord, SessionStore, WriteOptions, WriteRecord } from "../SessionStore";

export interface MemoryStoreOptions {
  /** The most sessions kept; past it the least recently used is dropped (default 10,000). */
  maxSessions?: number;
  /** Where the first eviction is reported. */
  logger?: Logger;
}

export const DEFAULT_MAX_SESSIONS = 10_000;

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
 * At most `maxSessions` are kept: the map is in order of last use (each use moves its entry
 * to the end), and past the cap the first, least recently used, is dropped, so a flood of new
 * visitors cannot grow the process without bound. Each owner's sessions are a set of ids, pruned when listed;
 * a session that is dropped or expires leaves every owner's set at once, so the sets are bounded by the cap too.
 */
export class MemoryStore implements SessionStore {
  /** In order of last use, least recent first. */
  #sessions = new Map<string, Entry>();
  #maxSessions: number;
  #logger: Logger | undefined;
  #evicted = false;
  /** Each owner's session ids; `private`, not `#`, so a unit test can check that the cap bounds it. */
  private readonly owners = new Map<string, Set<string>>();
  /** The owners each session is indexed under: what a session leaves when it is dropped. */
  #ownersOf = new Map<string, Set<string>>();
  #sweeper = setInterval(() => this.#sweep(), SWEEP_EVERY_MS).unref();

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#logger = options.logger;
  }

  async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const entry = this.#used(id);
    if (!entry) return undefined;
    entry.expiresAt = Date.now() + ttl * 1000;
    return { data: JSON.parse(entry.json) as StoredData, createdAt: entry.createdAt };
  }

  async write(id: string, record: WriteRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<boolean> {
    if (options?.existing && !this.#used(id)) return false; // ended meanwhile: it stays ended
    this.#sessions.delete(id);
    this.#sessions.set(id, { json: record.json ? record.json() : JSON.stringify(record.data), createdAt: record.createdAt, expiresAt: Date.now() + ttl * 1000 });
    if (owner !== undefined) this.#index(owner, id);
    this.#cap();
    return true;
  }

  async patch(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<boolean> {
    const entry = this.#used(id);
    if (!entry) return false; // ended meanwhile (expired or destroyed): nothing to change
    entry.json = JSON.stringify(applyPatch(JSON.parse(entry.json) as StoredData, patch));
    entry.expiresAt = Date.now() + ttl * 1000;
    if (owner !== undefined) this.#index(owner, id);
    return true;
  }

  async destroy(id: string, owner?: string): Promise<boolean> {
    const removed = this.#live(id) !== undefined;
    this.#forget(id);
    return removed;
  }

  async listOwner(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]> {
    const listed: OwnedSession[] = [];
    for (const id of this.owners.get(owner) ?? []) {
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
    add(this.owners, owner, id);
    add(this.#ownersOf, id, owner);
  }

  #unindex(owner: string, id: string): void {
    remove(this.owners, owner, id);
    remove(this.#ownersOf, id, owner);
  }

  /** Drops the session and its entry in every owner's index. */
  #forget(id: string): void {
    this.#sessions.delete(id);
    for (const owner of this.#ownersOf.get(id) ?? []) this.#unindex(owner, id);
  }

  /** The live entry, moved to the most recently used end. */
  #used(id: string): Entry | undefined {
    const entry = this.#live(id);
    if (entry) {
      this.#sessions.delete(id);
      this.#sessions.set(id, entry);
    }
    return entry;
  }

  /** Drops the least recently used sessions past the cap; the first time, says so. */
  #cap(): void {
    if (this.#sessions.size <= this.#maxSessions) return;
    if (!this.#evicted) {
      this.#evicted = true;
      this.#logger?.warn(`memory session store: more than ${this.#maxSessions} sessions (DRIVERS.memory.maxSessions); the least recently used are dropped from now on`);
    }
    for (const id of this.#sessions.keys()) {
      if (this.#sessions.size <= this.#maxSessions) break;
      this.#forget(id);
    }
  }

  #live(id: string): Entry | undefined {
    const entry = this.#sessions.get(id);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#forget(id);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.#sessions) if (entry.expiresAt <= now) this.#forget(id);
  }
}

function add(sets: Map<string, Set<string>>, key: string, value: string): void {
  const set = sets.get(key);
  if (set) set.add(value);
  else sets.set(key, new Set([value]));
}

function remove(sets: Map<string, Set<string>>, key: string, value: string): void {
  const set = sets.get(key);
  if (set?.delete(value) && set.size === 0) sets.delete(key);
}
