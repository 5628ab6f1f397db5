import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { FileLocks, STALE_LOCK_MS, takeOverIfStale } from "masonite/sessions/stores";

/**
 * Two processes sharing a folder, played by two FileLocks on it (each has its own in-process
 * queue, so only the lock file stands between them), with the interleavings forced by hand.
 */
const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-locks-"));
  folders.push(directory);
  return directory;
}

const NAME = "a".repeat(64);
const stale = (file: string) => {
  const past = new Date(Date.now() - STALE_LOCK_MS - 5_000);
  utimesSync(file, past, past);
};

/** Starts holding NAME and answers once the work runs, with the way to let it finish. */
async function holding(locks: FileLocks): Promise<{ finish: () => void; done: Promise<void> }> {
  let finish!: () => void;
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = locks.hold(NAME, async () => {
    started();
    await new Promise<void>((resolve) => (finish = resolve));
  });
  await running;
  return { finish, done };
}

test("of two processes that both saw the same stale lock, the one renaming second puts the other's fresh lock back: never two holders", async () => {
  const directory = folder();
  const file = path.join(directory, `${NAME}.lock`);
  writeFileSync(file, "");
  stale(file);
  const seenByFirst = statSync(file); // P1 sees it stale, then is held up
  const second = await holding(new FileLocks(directory, 2_000)); // P2 takes it over and holds a fresh lock
  const token = readFileSync(file, "utf8");
  assert.ok(token.length > 0, "the lock holds its holder's token");
  assert.equal(await takeOverIfStale(file, seenByFirst), true, "P1 goes on to try again");
  assert.equal(readFileSync(file, "utf8"), token, "P2's lock is back in place");
  const first = new FileLocks(directory, 150);
  const failure = await first.hold(NAME, async () => "ran").then(() => undefined, (error: { code?: string }) => error);
  assert.equal(failure?.code, "E_SESSION_STORE_UNAVAILABLE", "P1 waits for P2 and gives up: it never holds the lock alongside");
  second.finish();
  await second.done;
  assert.equal(await first.hold(NAME, async () => "ran"), "ran");
  assert.deepEqual(readdirSync(directory), [], "every lock released, nothing left aside");
});

test("a holder whose lock was taken over as stale leaves the newer holder's lock alone when it finishes", async () => {
  const directory = folder();
  const file = path.join(directory, `${NAME}.lock`);
  const slow = await holding(new FileLocks(directory, 2_000));
  stale(file); // its work outlived the stale bound (as a frozen process's would)
  const newer = await holding(new FileLocks(directory, 2_000));
  const token = readFileSync(file, "utf8");
  slow.finish();
  await slow.done;
  assert.equal(readFileSync(file, "utf8"), token, "the newer holder still holds its lock");
  newer.finish();
  await newer.done;
  assert.deepEqual(readdirSync(directory), []);
});
