import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigurationError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { SessionStoreUnavailable } from "../errors";
import type { OwnedSession, SessionPatch, SessionRecord, SessionStore, StoredData } from "../SessionStore";
import { applyPatch } from "./patch";

export interface FileStoreOptions {
  /** The folder the sessions live in (the skeleton's `storage/framework/sessions`). */
  directory: string;
  /** The idle timeout in seconds, which the background sweep removes expired files by. */
  timeout: number;
  logger: Logger;
}

const SWEEP_EVERY_MS = 10 * 60_000;
/** A temporary file this old was left by a process that died mid-write. */
const ABANDONED_AFTER_MS = 60_000;

/** Deletes a file that may already be gone. */
/** A filesystem failure as a 503 that names no file: a session file's name is its id, a credential. */
function unavailable(error: unknown): SessionStoreUnavailable {
  const { code, syscall } = error as NodeJS.ErrnoException;
  return new SessionStoreUnavailable(new Error(`${syscall ?? "access"} of a session file failed (${code ?? "unknown error"}).`));
}

/** What this store writes, checked on the way back: anything else (a stray or damaged file) is no session. */
function isRecord(value: unknown): value is SessionRecord {
  const { data, createdAt } = (value ?? {}) as Partial<SessionRecord>;
  return typeof data === "object" && data !== null && !Array.isArray(data) && Number.isFinite(createdAt);
}

async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw unavailable(error);
  });
}

/** Marks a file active now, by the process's clock (the one every expiry is compared with). */
function touch(file: string): Promise<void> {
  const now = new Date(Date.now());
  return utimes(file, now, now);
}

/**
 * One JSON file per session, `<directory>/<id>.json`; the file's modification time is the
 * last activity, so a read slides the idle expiry with one utimes() and no rewrite. Writes go
 * to a temporary file renamed over the old one, which is atomic, so processes sharing the
 * folder (`craft serve --workers N`) never read half a session; the last write wins.
 * Expired files are removed by a sweep in the background.
 *
 * Each owner's index is a folder, `<directory>/owners/<sha256 of the owner>/`, holding one
 * empty file per session id: adding and removing an entry is creating and deleting a file,
 * which workers can do at once without losing each other's entries. Entries of sessions that
 * ended are removed when the owner's sessions are listed.
 */
export class FileStore implements SessionStore {
  #options: FileStoreOptions;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: FileStoreOptions) {
    this.#options = options;
  }

  /** Makes the folder and proves it writable, so a wrong path stops start-up. */
  async connect(): Promise<void> {
    const { directory } = this.#options;
    try {
      await mkdir(directory, { recursive: true });
      const probe = path.join(directory, `.probe-${process.pid}`);
      await writeFile(probe, "");
      await unlink(probe);
    } catch (error) {
      throw new ConfigurationError("E_SESSION_STORE_UNREACHABLE", `The file session store cannot write to ${directory}: ${(error as Error).message}. Fix DRIVERS.file.directory in config/session.ts or the folder's permissions.`, error);
    }
    this.#sweeper = setInterval(() => void this.#sweep(), SWEEP_EVERY_MS).unref();
  }

  async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const found = await this.#load(id, ttl);
    if (!found) return undefined;
    try {
      await touch(this.#file(id));
    } catch (error) {
      throw unavailable(error);
    }
    return found.record;
  }

  /**
   * Key-level changes to a session that must still exist: one destroyed meanwhile (signed out,
   * revoked) stays destroyed instead of being written back by a request that loaded it before.
   */
  async patch(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<void> {
    const found = await this.#load(id, ttl);
    if (!found) return;
    await this.write(id, { data: applyPatch(found.record.data, patch), createdAt: found.record.createdAt }, ttl, owner);
  }

  async write(id: string, record: SessionRecord, _ttl: number, owner?: string): Promise<void> {
    // Indexed first: an entry whose session was never written is pruned when listed, while a
    // session missing from its index could not be listed or revoked.
    if (owner !== undefined) await this.#index(owner, id);
    const temporary = path.join(this.#options.directory, `.${id}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await writeFile(temporary, JSON.stringify({ createdAt: record.createdAt, data: record.data }), { mode: 0o600 });
      await touch(temporary);
      await rename(temporary, this.#file(id));
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw unavailable(error);
    }
  }

  async destroy(id: string, owner?: string): Promise<void> {
    await removeFile(this.#file(id));
    if (owner !== undefined) await removeFile(path.join(this.#ownerFolder(owner), id));
  }

  async listOwner(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]> {
    const folder = this.#ownerFolder(owner);
    let ids: string[];
    try {
      ids = await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw unavailable(error);
    }
    const listed: OwnedSession[] = [];
    for (const id of ids) {
      const session = await this.#peek(id, ttl);
      if (session && owns(session.data)) listed.push(session);
      else await removeFile(path.join(folder, id));
    }
    return listed;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** The session under `id` without touching it, or undefined when it is gone or expired. */
  async #peek(id: string, ttl: number): Promise<OwnedSession | undefined> {
    const found = await this.#load(id, ttl);
    return found && { id, ...found.record, lastSeenAt: found.mtimeMs };
  }

  /** The stored record and its last activity; an expired file is removed on the way. */
  async #load(id: string, ttl: number): Promise<{ record: SessionRecord; mtimeMs: number } | undefined> {
    const file = this.#file(id);
    try {
      const { mtimeMs } = await stat(file);
      if (mtimeMs + ttl * 1000 <= Date.now()) {
        await removeFile(file);
        return undefined;
      }
      const record: unknown = JSON.parse(await readFile(file, "utf8"));
      return isRecord(record) ? { record: { data: record.data, createdAt: record.createdAt }, mtimeMs } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || error instanceof SyntaxError) return undefined;
      throw error instanceof SessionStoreUnavailable ? error : unavailable(error);
    }
  }

  async #index(owner: string, id: string): Promise<void> {
    const folder = this.#ownerFolder(owner);
    const entry = path.join(folder, id);
    try {
      await writeFile(entry, "", { mode: 0o600 }).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
        await mkdir(folder, { recursive: true });
        await writeFile(entry, "", { mode: 0o600 });
      });
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Owners are the app's values (user ids, emails): hashed, any of them is a safe folder name. */
  #ownerFolder(owner: string): string {
    return path.join(this.#options.directory, "owners", createHash("sha256").update(owner).digest("hex"));
  }

  /** Ids are checked before they reach a store (43 base64url characters), so they are safe file names. */
  #file(id: string): string {
    return path.join(this.#options.directory, `${id}.json`);
  }

  async #sweep(): Promise<void> {
    const { directory, timeout, logger } = this.#options;
    try {
      const now = Date.now();
      for (const name of await readdir(directory)) {
        const file = path.join(directory, name);
        const info = await stat(file).catch(() => undefined); // gone meanwhile: another worker swept it
        if (!info) continue;
        const age = now - info.mtimeMs;
        const expired = name.endsWith(".json") ? age >= timeout * 1000 : name.endsWith(".tmp") && age >= ABANDONED_AFTER_MS;
        if (expired) await unlink(file).catch(() => {});
      }
    } catch (error) {
      logger.warn(`file session store: sweeping ${directory} failed: ${(error as Error).message}`, { err: error });
    }
  }
}
