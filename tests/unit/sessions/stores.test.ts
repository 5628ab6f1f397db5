import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { after, test } from "node:test";
import { Logger } from "masonite/core";
import { generateKey } from "masonite/security";
import { CookieStore, type SessionStore } from "masonite/sessions";
import { FileStore, MemoryStore, RedisStore } from "masonite/sessions/stores";
import { RedisServer } from "../../support/redis";
import { id, storeContract, type ContractHooks } from "../../support/storeContract";

/**
 * The shared table of session cases (tests/support/storeContract.ts) for the cookie store,
 * memory, file, and redis when a redis-server can be started; then each store's own cases.
 */
const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function fileStore(lockTimeout?: number): Promise<FileStore> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-file-store-"));
  folders.push(directory);
  const store = new FileStore({ directory, timeout: 3600, key: randomBytes(32), lockTimeout, logger: Logger.silent() });
  await store.connect();
  return store;
}

const COOKIE_KEY = generateKey();
let redisServer: Promise<RedisServer | undefined> | undefined;
after(async () => (await redisServer)?.destroy());

/** A redis store on a server of the test's own, under a namespace of its own; undefined when no redis-server is installed. */
async function redisStore(): Promise<SessionStore | undefined> {
  redisServer ??= spawnSync("redis-server", ["--version"]).status === 0 ? RedisServer.startLocal() : Promise.resolve(undefined);
  const server = await redisServer;
  if (!server) return undefined;
  const store = new RedisStore({ host: "127.0.0.1", port: server.port, options: {}, namespace: `contract-${randomBytes(6).toString("hex")}`, commandTimeout: 2000, logger: Logger.silent() });
  await store.connect();
  return store;
}

const STORES: [string, () => Promise<SessionStore | undefined>][] = [
  ["cookie", async () => new CookieStore({ name: "sid", key: COOKIE_KEY, previousKeys: [], maxSize: 6 * 1024, logger: Logger.silent() })],
  ["memory", async () => new MemoryStore()],
  ["file", fileStore],
  ["redis", redisStore],
];
const fileHooks: ContractHooks = {
  // The file's modification time is its last activity: age it instead of waiting.
  age(store, key) {
    const past = new Date(Date.now() - 2_000);
    utimesSync((store as FileStore).pathOf(key), past, past);
    return true;
  },
  checkIndex(store, live) {
    const entries = readdirSync(path.join(folders.at(-1)!, "owners"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
    assert.deepEqual(entries, live.map((n) => path.basename((store as FileStore).pathOf(n), ".json")).sort(), "only live sessions keep an index entry");
  },
  numRuns: 40,
};
for (const [name, make] of STORES) {
  storeContract(name, make, name === "file" ? fileHooks : name === "redis" ? { numRuns: 40, skipReason: "redis-server not installed (apt-get install redis-server)" } : {});
}


test("the file store writes by rename: no temporary file is left, and files are private to the app's user", async () => {
  const store = await fileStore();
  const directory = folders.at(-1)!;
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.write(id(7), { data: { i }, createdAt: 1 }, 60)));
  assert.deepEqual(readdirSync(directory).filter((name) => name !== "owners"), [path.basename(store.pathOf(id(7)))]);
  const read = await store.read(id(7), 60);
  assert.ok(typeof read!.data.i === "number", "one whole write won");
  assert.equal(statSync(store.pathOf(id(7))).mode & 0o777, 0o600);
  await store.close();
});

test("the file store treats a damaged or foreign file as no session, and its errors name no file", async () => {
  const store = await fileStore();
  const directory = folders.at(-1)!;
  // The last: a session of another id, copied over this one's file.
  const foreign = JSON.stringify({ id: id(11), data: { a: 1 }, createdAt: 1 });
  for (const text of ["[1]", "{}", '{"data":{"a":1}}', '{"data":[],"createdAt":1}', '{"data":{"a":1},"createdAt":1}', "not json", foreign]) {
    writeFileSync(store.pathOf(id(9)), text);
    assert.equal(await store.read(id(9), 60), undefined, text);
  }
  // A file where the folder was: every write fails (ENOTDIR), whoever runs the test.
  rmSync(directory, { recursive: true });
  writeFileSync(directory, "");
  const failure = await store.write(id(10), { data: {}, createdAt: 1 }, 60).then(() => undefined, (error: Error) => error);
  assert.ok(failure, "the write failed");
  assert.equal((failure as { code?: string }).code, "E_SESSION_STORE_UNAVAILABLE");
  assert.match(failure.message, /ENOTDIR/);
  assert.doesNotMatch(failure.message, new RegExp(id(10)), "a session id is a credential: it never reaches a message");
  rmSync(directory);
  await store.close();
});

const bump = (key = "n") => ({ set: new Map(), deleted: new Set<string>(), increments: new Map([[key, 1]]) });

test("the file store applies concurrent patches of one session one at a time: no increment lost, every key lands", async () => {
  const store = await fileStore(120_000); // 200 in one queue: the test is about order, not speed

  await store.write(id(30), { data: {}, createdAt: 1 }, 60);
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => store.patch(id(30), i % 2 ? bump() : { set: new Map([[`k${i}`, i]]), deleted: new Set(), increments: new Map([["n", 1]]) }, 60)));
  assert.ok(answers.every(Boolean));
  const { data } = (await store.read(id(30), 60))!;
  assert.equal(data.n, 200);
  assert.equal(Object.keys(data).filter((key) => key.startsWith("k")).length, 100);
  assert.deepEqual(readdirSync(folders.at(-1)!).filter((name) => name.endsWith(".lock")), [], "every lock released");
  await store.close();
});

test("the file store: a destroy waits for a patch in flight, and a patch after it finds the session ended; destroy says whether it ended something", async () => {
  const store = await fileStore();
  await store.write(id(31), { data: { user_id: "ada" }, createdAt: 1 }, 60, "ada");
  const [patched, destroyed, late, again] = await Promise.all([store.patch(id(31), bump(), 60), store.destroy(id(31), "ada"), store.patch(id(31), bump(), 60), store.destroy(id(31), "ada")]);
  assert.deepEqual([patched, destroyed, late, again], [true, true, false, false]);
  assert.equal(await store.write(id(31), { data: { user_id: "ada" }, createdAt: 1 }, 60, undefined, { existing: true }), false, "a whole rewrite of an ended session writes nothing");
  assert.equal(await store.read(id(31), 60), undefined);
  assert.deepEqual(await store.listOwner("ada", 60, () => true), []);
  await store.close();
});

test("the file store: a lock held by another process past lockTimeout is a 503 that saves nothing; a stale one (a crashed holder) is taken over", async () => {
  const store = await fileStore(200);
  await store.write(id(32), { data: { n: 1 }, createdAt: 1 }, 60);
  const lock = store.pathOf(id(32)).replace(/\.json$/, ".lock");
  writeFileSync(lock, "");
  const failure = await store.patch(id(32), bump(), 60).then(() => undefined, (error: Error) => error);
  assert.equal((failure as { code?: string } | undefined)?.code, "E_SESSION_STORE_UNAVAILABLE");
  assert.equal((failure as { status?: number }).status, 503);
  assert.deepEqual((await store.read(id(32), 60))!.data, { n: 1 }, "nothing saved");
  const stale = new Date(Date.now() - 11_000);
  utimesSync(lock, stale, stale);
  assert.equal(await store.patch(id(32), bump(), 60), true);
  assert.deepEqual((await store.read(id(32), 60))!.data, { n: 2 });
  await store.close();
});

test("the file store keeps its folders 0700 (existing ones fixed at connect) and names files so that no listing shows a usable id; files of the old id-named layout are removed", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-file-store-"));
  folders.push(directory);
  chmodSync(directory, 0o755);
  mkdirSync(path.join(directory, "owners"), { mode: 0o755 });
  chmodSync(path.join(directory, "owners"), 0o755);
  writeFileSync(path.join(directory, `${id(40)}.json`), JSON.stringify({ data: { user_id: "old" }, createdAt: Date.now() }));
  const store = new FileStore({ directory, timeout: 3600, key: randomBytes(32), logger: Logger.silent() });
  await store.connect();
  for (const folder of [directory, path.join(directory, "owners")]) assert.equal(statSync(folder).mode & 0o777, 0o700, folder);
  // An owner with characters no hex name holds, so a chance match of hex digits cannot pass for a leak.
  const owner = "ada@example.org";
  await store.write(id(41), { data: { user_id: owner }, createdAt: 1 }, 60, owner);
  for (const entry of readdirSync(path.join(directory, "owners"), { withFileTypes: true })) assert.equal(statSync(path.join(directory, "owners", entry.name)).mode & 0o777, 0o700);
  const deadline = Date.now() + 10_000;
  while (readdirSync(directory).includes(`${id(40)}.json`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const names = readdirSync(directory, { recursive: true }).map(String);
  assert.ok(names.length > 2, names.join());
  for (const name of names) {
    assert.ok(!name.includes(id(41)) && !name.includes(id(40)), `${name} reveals no id`);
    assert.ok(!name.includes(owner), `${name} reveals no owner`);
  }
  assert.equal(await store.read(id(40), 60), undefined, "an id-named file of the old layout is no session");
  assert.equal((await store.read(id(41), 60))!.data.user_id, owner);
  await store.close();
});

test("the memory store keeps at most maxSessions, dropping the least recently used", async () => {
  const store = new MemoryStore({ maxSessions: 3 });
  for (const n of [50, 51, 52]) await store.write(id(n), { data: { n }, createdAt: 1 }, 60);
  await store.read(id(50), 60); // used: 51 is now the least recent
  await store.write(id(53), { data: { n: 53 }, createdAt: 1 }, 60);
  assert.equal(await store.read(id(51), 60), undefined);
  for (const n of [50, 52, 53]) assert.equal((await store.read(id(n), 60))!.data.n, n);
  await store.close();
});

test("the file store refuses a folder holding other programs' files (SESSION_DIRECTORY=.), changing nothing in it", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-file-store-"));
  folders.push(directory);
  chmodSync(directory, 0o755);
  const old = new Date(Date.now() - 86_400_000);
  for (const name of ["package.json", "tsconfig.json", `${id(42)}.json`]) {
    writeFileSync(path.join(directory, name), "{}");
    utimesSync(path.join(directory, name), old, old);
  }
  const store = new FileStore({ directory, timeout: 3600, key: randomBytes(32), logger: Logger.silent() });
  await assert.rejects(store.connect(), (error: Error & { code?: string }) => {
    assert.equal(error.code, "E_SESSION_DIRECTORY_UNUSABLE");
    assert.match(error.message, /package\.json, tsconfig\.json/);
    assert.match(error.message, /SESSION_DIRECTORY/);
    return true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100)); // a sweep, had one started, would have run
  assert.deepEqual(readdirSync(directory).sort(), [`${id(42)}.json`, "package.json", "tsconfig.json"], "nothing removed");
  assert.equal(statSync(directory).mode & 0o777, 0o755, "the folder's mode is untouched");
  await store.close();
});

test("the file store accepts its checked-in folder's placeholder and leaves it there", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-file-store-"));
  folders.push(directory);
  writeFileSync(path.join(directory, ".gitignore"), "*\n!.gitignore\n");
  const store = new FileStore({ directory, timeout: 3600, key: randomBytes(32), logger: Logger.silent() });
  await store.connect();
  await store.write(id(43), { data: { a: 1 }, createdAt: 1 }, 60);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(readdirSync(directory).includes(".gitignore"));
  await store.close();
});

test("the memory store's owner index is bounded by the cap: a dropped session leaves its owners' indexes at once", async () => {
  const store = new MemoryStore({ maxSessions: 3 });
  for (let n = 0; n < 200; n++) await store.write(id(100 + n), { data: { user_id: `user${n}` }, createdAt: 1 }, 60, `user${n}`);
  // Reached into: nothing else shows the index's size, and its growth is the defect.
  const owners = (store as unknown as { owners: Map<string, Set<string>> }).owners;
  assert.deepEqual([...owners.keys()].sort(), ["user197", "user198", "user199"]);
  assert.deepEqual((await store.listOwner("user199", 60, () => true)).map((s) => s.id), [id(299)]);
  await store.close();
});

test("the file store's read derives the file name once: one HMAC per read", async () => {
  const store = await fileStore();
  await store.write(id(60), { data: { a: 1 }, createdAt: 1 }, 60);
  // The store calls createHmac through the module object, so counting there counts its calls.
  const crypto = require("node:crypto") as typeof import("node:crypto");
  const original = crypto.createHmac;
  let calls = 0;
  crypto.createHmac = ((...args: Parameters<typeof original>) => {
    calls++;
    return original(...args);
  }) as typeof original;
  try {
    assert.deepEqual((await store.read(id(60), 60))?.data, { a: 1 });
  } finally {
    crypto.createHmac = original;
  }
  assert.equal(calls, 1);
  await store.close();
});
