import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { SessionStoreUnavailable } from "../errors";

/**
 * A lock file this old belongs to a holder that died (a crashed worker): it is taken over.
 * A live holder keeps a lock for one read, change and rename of a small file, milliseconds,
 * and touches it every REFRESH_MS while it holds it, so a slow holder never looks dead.
 */
export const STALE_LOCK_MS = 10_000;
const REFRESH_MS = STALE_LOCK_MS / 4;

/** The longest pause between two tries of a lock another process holds. */
const MOST_BACKOFF_MS = 16;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One holder at a time per name, for the file store's read-change-rename of one session.
 * Within a process, holders of a name queue in arrival order (a promise chain per name, dropped
 * when idle: other names never wait); across processes sharing the folder (`--workers N`), the
 * one at the head of each process's queue takes `<directory>/<name>.lock`, created exclusively.
 * A lock not free within `timeoutMs` is a SessionStoreUnavailable (503), and the work never runs.
 * The file holds a random token: a holder removes it only while it still holds its own token.
 */
export class FileLocks {
  #tails = new Map<string, Promise<void>>();
  #directory: string;
  #timeoutMs: number;

  constructor(directory: string, timeoutMs: number) {
    this.#directory = directory;
    this.#timeoutMs = timeoutMs;
  }

  async hold<T>(name: string, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#timeoutMs;
    const previous = this.#tails.get(name);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    // Whoever comes next waits for this holder and for everyone before it, even if this one gives up early.
    const tail = previous ? Promise.all([previous, mine]).then(() => undefined) : mine;
    this.#tails.set(name, tail);
    try {
      if (previous) await within(previous, deadline, this.#timeoutMs);
      const { file, token, handle } = await this.#take(name, deadline);
      // Through the open handle: a lock taken over meanwhile is another file, which this never touches.
      const refresher = setInterval(() => void handle.utimes(new Date(), new Date()).catch(() => {}), REFRESH_MS).unref();
      try {
        return await work();
      } finally {
        clearInterval(refresher);
        await handle.close().catch(() => {});
        await release(file, token);
      }
    } finally {
      done();
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }

  /** Creates the lock file, waiting (with a growing pause) while another process holds it. */
  async #take(name: string, deadline: number) {
    const file = path.join(this.#directory, `${name}.lock`);
    const token = randomBytes(16).toString("hex");
    for (let wait = 1; ; wait = Math.min(wait * 2, MOST_BACKOFF_MS)) {
      try {
        const handle = await open(file, "wx", 0o600);
        try {
          await handle.writeFile(token);
        } catch (error) {
          await handle.close().catch(() => {});
          await unlink(file).catch(() => {});
          throw error;
        }
        return { file, token, handle };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new SessionStoreUnavailable(new Error(`creating a session lock failed (${(error as NodeJS.ErrnoException).code ?? "unknown error"}).`));
      }
      if (await takeOverIfStale(file)) continue;
      if (Date.now() >= deadline) throw timedOut(this.#timeoutMs);
      await pause(Math.min(wait * (0.5 + Math.random()), Math.max(1, deadline - Date.now())));
    }
  }
}

/** Removes the lock file only while it holds `token`: one taken over as stale meanwhile is another holder's now. */
async function release(file: string, token: string): Promise<void> {
  const content = await readFile(file, "utf8").catch(() => undefined);
  if (content === token) await unlink(file).catch(() => {});
}

/**
 * Removes a lock older than STALE_LOCK_MS (`seen`: what stat found, taken now unless given).
 * It is renamed aside first, so of two processes that find the same stale lock only one removes
 * it. The one whose rename comes second may move a fresh lock the first created meanwhile: it
 * checks that what it moved is the file it saw stale, and puts anything else back (by link,
 * which never replaces a lock a third process created meanwhile).
 */
export async function takeOverIfStale(file: string, seen?: Stats): Promise<boolean> {
  const info = seen ?? (await stat(file).catch(() => undefined));
  if (!info) return true; // released meanwhile
  if (Date.now() - info.mtimeMs < STALE_LOCK_MS) return false;
  const aside = `${file}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(file, aside);
  } catch {
    return true; // another process took it over first
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved && (moved.ino !== info.ino || moved.mtimeMs !== info.mtimeMs)) await link(aside, file).catch(() => {});
  await unlink(aside).catch(() => {});
  return true;
}

function timedOut(timeoutMs: number): SessionStoreUnavailable {
  return new SessionStoreUnavailable(new Error(`the session's lock was not free within ${timeoutMs} ms.`));
}

/** Waits for `promise` until `deadline`, or fails as a lock timeout. */
function within(promise: Promise<void>, deadline: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut(timeoutMs)), Math.max(0, deadline - Date.now()));
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
