import { createHmac, randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigurationError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { SessionStoreUnavailable } from "../errors";
import { isWellFormedId } from "../ids";
import type { OwnedSession, SessionPatch, SessionRecord, SessionStore, StoredData, WriteOptions } from "../SessionStore";
import { FileLocks, STALE_LOCK_MS } from "./locks";
import { applyPatch } from "./patch";

export interface FileStoreOptions {
  /** The folder the sessions live in (the skeleton's `storage/framework/sessions`). */
  directory: string;
  /** The idle timeout in seconds, which the background sweep removes expired files by. */
  timeout: number;
  /** The secret file names are derived with (from APP_KEY), so a listing of the folder reveals no id. */
  key: Buffer;
  /** Milliseconds a change waits for its session's lock before answering 503 (default 2000). */
  lockTimeout?: number;
  logger: Logger;
}

const SWEEP_EVERY_MS = 10 * 60_000;
/** A temporary or lock file this old was left by a process that died mid-write. */
const ABANDONED_AFTER_MS = 60_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 2000;
/** A session file's name: 64 hex digits (an HMAC of the id) and ".json". */
const SESSION_FILE = /^[0-9a-f]{64}\.json$/;
const LOCK_FILE = /^[0-9a-f]{64}\.lock$/;
/** What a crash can leave behind: a write's temporary file, a lock renamed aside to be removed. */
const LEFTOVER_FILE = /^(\.[0-9a-f]{24}\.tmp|[0-9a-f]{64}\.lock\.[0-9a-f]{12}\.stale)$/;
/** A session of an older version of this store, named by its id. */
const isOldSessionFile = (name: string) => name.endsWith(".json") && isWellFormedId(name.slice(0, -".json".length));
/** What the folder may hold besides the store's files: a checked-in folder's placeholders. */
const PLACEHOLDERS = new Set([".gitignore", ".gitkeep"]);

/** Whether `name` in the folder is the store's own (or a placeholder): anything else is some other program's file. */
function isOwnEntry(name: string): boolean {
  return name === "owners" || PLACEHOLDERS.has(name) || /^\.probe-\d+$/.test(name) || SESSION_FILE.test(name) || LOCK_FILE.test(name) || LEFTOVER_FILE.test(name) || isOldSessionFile(name);
}

/** A filesystem failure as a 503 that names no file. */
function unavailable(error: unknown): SessionStoreUnavailable {
  if (error instanceof SessionStoreUnavailable) return error;
  const { code, syscall } = error as NodeJS.ErrnoException;
  return new SessionStoreUnavailable(new Error(`${syscall ?? "access"} of a session file failed (${code ?? "unknown error"}).`));
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/** What this store writes, checked on the way back: anything else (a stray or damaged file) is no session. */
function isRecord(value: unknown): value is SessionRecord & { id: string } {
  const { id, data, createdAt } = (value ?? {}) as Partial<SessionRecord & { id: string }>;
  return typeof id === "string" && typeof data === "object" && data !== null && !Array.isArray(data) && Number.isFinite(createdAt);
}

/** Deletes a file that may already be gone; answers whether it was there. */
async function removeFile(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if (missing(error)) return false;
    throw unavailable(error);
  }
}

/** Marks a file active now, by the process's clock (the one every expiry is compared with). */
function touch(file: string): Promise<void> {
  const now = new Date(Date.now());
  return utimes(file, now, now);
}

/**
 * One JSON file per session, `<directory>/<name>.json`, where the name is an HMAC of the id
 * under a key derived from APP_KEY: a listing of the folder gives no id a client could present.
 * The file's modification time is the last activity, so a read slides the idle expiry with one
 * utimes() and no rewrite. Writes go to a temporary file renamed over the old one, so no reader
 * ever sees half a session. Folders are 0700 and files 0600: the app's user alone reads them.
 *
 * Changes to one session apply one at a time, in arrival order (FileLocks: a queue per session
 * in the process, and a lock file between the processes sharing the folder): a patch reads the
 * session as it is, applies its key-level changes and renames, so concurrent requests lose
 * nothing, and only while the session exists, so one destroyed meanwhile stays destroyed.
 * Reading takes no lock. Expired files are removed by a sweep in the background.
 *
 * Each owner's index is a folder, `<directory>/owners/<HMAC of the owner>/`, holding one empty
 * file per session, named as the session's file: adding and removing an entry is creating and
 * deleting a file. Entries of sessions that ended are removed when the owner's sessions are listed.
 */
export class FileStore implements SessionStore {
  #options: FileStoreOptions;
  #locks: FileLocks;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: FileStoreOptions) {
    this.#options = options;
    this.#locks = new FileLocks(options.directory, options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_MS);
  }

  /**
   * Makes the folders private (those that exist too) and proves them writable, so a wrong path
   * stops start-up. A folder holding other files (SESSION_DIRECTORY=. would be the project) is
   * refused before anything in it changes: the store makes its folder private and sweeps it.
   */
  async connect(): Promise<void> {
    const { directory } = this.#options;
    const foreign = await readdir(directory).then((names) => names.filter((name) => !isOwnEntry(name)), () => []);
    if (foreign.length > 0) {
      throw new ConfigurationError("E_SESSION_DIRECTORY_UNUSABLE", `The file session store's folder ${directory} holds files that are not sessions (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", ..." : ""}), and the store makes its folder private and sweeps it. Point SESSION_DIRECTORY (DRIVERS.file.directory in config/session.ts) at a folder of its own, such as storage/framework/sessions.`);
    }
    try {
      for (const folder of [directory, path.join(directory, "owners")]) {
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await chmod(folder, 0o700);
      }
      const probe = path.join(directory, `.probe-${process.pid}`);
      await writeFile(probe, "");
      await unlink(probe);
    } catch (error) {
      throw new ConfigurationError("E_SESSION_DIRECTORY_UNUSABLE", `The file session store cannot write to ${directory}: ${(error as Error).message}. Fix SESSION_DIRECTORY (DRIVERS.file.directory in config/session.ts) or the folder's permissions.`, error);
    }
    // At once as well: files of an older version, named by the ids themselves, leave the folder now.
    void this.#sweep();
    this.#sweeper = setInterval(() => void this.#sweep(), SWEEP_EVERY_MS).unref();
  }

  /** Where the session `id` is kept (the name reveals nothing of the id). */
  pathOf(id: string): string {
    return path.join(this.#options.directory, `${this.#name(id)}.json`);
  }

  async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const name = this.#name(id);
    const found = await this.#load(name, ttl, id);
    if (!found) return undefined;
    try {
      await touch(path.join(this.#options.directory, `${name}.json`));
    } catch (error) {
      if (missing(error)) return undefined; // destroyed meanwhile
      throw unavailable(error);
    }
    return { data: found.record.data, createdAt: found.record.createdAt };
  }

  /** Key-level changes, applied under the session's lock to the session as it is; false (nothing written) when it ended. */
  async patch(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<boolean> {
    const name = this.#name(id);
    return this.#locks.hold(name, async () => {
      const found = await this.#load(name, ttl, id);
      if (!found) return false;
      await this.#put(id, { data: applyPatch(found.record.data, patch), createdAt: found.record.createdAt }, owner);
      return true;
    });
  }

  async write(id: string, record: SessionRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<boolean> {
    // A new id nobody else knows needs no lock, unless it joins an index a listing may be pruning.
    if (!options?.existing && owner === undefined) {
      await this.#put(id, record, owner);
      return true;
    }
    const name = this.#name(id);
    return this.#locks.hold(name, async () => {
      if (options?.existing && !(await this.#load(name, ttl, id))) return false;
      await this.#put(id, record, owner);
      return true;
    });
  }

  /** Ends the session under its lock, so a change that waited for it finds it gone; answers whether it was there. */
  async destroy(id: string, owner?: string): Promise<boolean> {
    const name = this.#name(id);
    return this.#locks.hold(name, async () => {
      const removed = await removeFile(this.pathOf(id));
      if (owner !== undefined) await removeFile(path.join(this.#ownerFolder(owner), name));
      return removed;
    });
  }

  async listOwner(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]> {
    const folder = this.#ownerFolder(owner);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      if (missing(error)) return [];
      throw unavailable(error);
    }
    const listed: OwnedSession[] = [];
    for (const name of names) {
      const session = await this.#peek(name, ttl);
      if (session && owns(session.data)) {
        listed.push(session);
        continue;
      }
      // Pruned under the session's lock: a sign-in indexes its session before its file exists.
      await this.#locks.hold(name, async () => {
        const now = await this.#peek(name, ttl);
        if (!now || !owns(now.data)) await removeFile(path.join(folder, name));
      });
    }
    return listed;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** Writes the whole session by rename; `owner`'s index gets it first. */
  async #put(id: string, record: SessionRecord, owner: string | undefined): Promise<void> {
    const name = this.#name(id);
    // Indexed first: an entry whose session was never written is pruned when listed, while a
    // session missing from its index could not be listed or revoked.
    if (owner !== undefined) await this.#index(owner, name);
    const temporary = path.join(this.#options.directory, `.${randomBytes(12).toString("hex")}.tmp`);
    try {
      await writeFile(temporary, JSON.stringify({ id, createdAt: record.createdAt, data: record.data }), { mode: 0o600 });
      await touch(temporary);
      await rename(temporary, path.join(this.#options.directory, `${name}.json`));
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw unavailable(error);
    }
  }

  /** The session in file `name` without touching it, or undefined when it is gone or expired. */
  async #peek(name: string, ttl: number): Promise<OwnedSession | undefined> {
    const found = await this.#load(name, ttl);
    return found && { ...found.record, lastSeenAt: found.mtimeMs };
  }

  /**
   * The record in file `name` (only if it is the session that name is for: `id`, when the caller
   * knows it, else whichever id the name is the HMAC of) and its last activity; an expired file is removed on the way.
   */
  async #load(name: string, ttl: number, id?: string): Promise<{ record: SessionRecord & { id: string }; mtimeMs: number } | undefined> {
    const file = path.join(this.#options.directory, `${name}.json`);
    try {
      const { mtimeMs } = await stat(file);
      if (mtimeMs + ttl * 1000 <= Date.now()) {
        await removeFile(file);
        return undefined;
      }
      const record: unknown = JSON.parse(await readFile(file, "utf8"));
      if (!isRecord(record) || (id !== undefined ? record.id !== id : this.#name(record.id) !== name)) return undefined;
      return { record: { id: record.id, data: record.data, createdAt: record.createdAt }, mtimeMs };
    } catch (error) {
      if (missing(error) || error instanceof SyntaxError) return undefined;
      throw unavailable(error);
    }
  }

  async #index(owner: string, name: string): Promise<void> {
    const folder = this.#ownerFolder(owner);
    const entry = path.join(folder, name);
    try {
      await writeFile(entry, "", { mode: 0o600 }).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await writeFile(entry, "", { mode: 0o600 });
      });
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** The file name for a session id or an owner: an HMAC, so it is safe as a name and reveals neither. */
  #name(value: string): string {
    return createHmac("sha256", this.#options.key).update(value).digest("hex");
  }

  #ownerFolder(owner: string): string {
    return path.join(this.#options.directory, "owners", this.#name(`owner:${owner}`));
  }

  async #sweep(): Promise<void> {
    const { directory, timeout, logger } = this.#options;
    try {
      const now = Date.now();
      for (const name of await readdir(directory)) {
        const file = path.join(directory, name);
        const info = await stat(file).catch(() => undefined); // gone meanwhile: another worker swept it
        if (!info?.isFile()) continue;
        const age = now - info.mtimeMs;
        let remove: boolean;
        if (SESSION_FILE.test(name)) remove = age >= timeout * 1000;
        // Never read now, and a listing must not show the id.
        else if (isOldSessionFile(name)) remove = true;
        else if (LOCK_FILE.test(name)) remove = age >= Math.max(STALE_LOCK_MS, ABANDONED_AFTER_MS);
        else remove = LEFTOVER_FILE.test(name) && age >= ABANDONED_AFTER_MS;
        if (remove) await unlink(file).catch(() => {});
      }
    } catch (error) {
      logger.warn(`file session store: sweeping ${directory} failed: ${(error as Error).message}`, { err: error });
    }
  }
}
