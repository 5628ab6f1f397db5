import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { after, describe, test, type TestContext } from "node:test";
import fc from "fast-check";
import { Logger } from "masonite/core";
import { generateKey } from "masonite/security";
import { CookieStore, SessionConflict, type SessionRecord, type SessionStore, type StoredData, type WriteOptions } from "masonite/sessions";
import { FileStore, MemoryStore, RedisStore } from "masonite/sessions/stores";
import { RedisServer } from "../../support/redis";

/**
 * One table of session cases, run against every store through the contract alone (read, write,
 * destroy, patch, listOwner): the cookie store, memory, file, and redis when a redis-server can
 * be started. A case that needs a capability (patch, an owner index, a session the server can
 * end) runs on the stores that have it. The write-token rule: a store's `write` answers either
 * nothing or a boolean (the cookie then carries the id) or a string (the token it carries
 * instead); `read` is handed that token. The same cases run over HTTP in the integration tests.
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
const id = (n: number) => String(n).padStart(43, "A");

/** Writes through the contract and answers the token a cookie would then carry: the one `write` answered, else the id. */
async function put(store: SessionStore, key: string, record: SessionRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<string> {
  const written = await store.write(key, record, ttl, owner, options);
  return typeof written === "string" ? written : key;
}

/** The record `read` answers, without what only some stores add (the cookie store's sealed id and expiry). */
async function readBack(store: SessionStore, token: string, ttl: number): Promise<SessionRecord | undefined> {
  const found = await store.read(token, ttl);
  // A plain copy: the redis store hands back null-prototype objects, so no stored key can pass for a prototype's.
  return found && { data: { ...found.data }, createdAt: found.createdAt };
}

for (const [name, make] of STORES) {
  describe(`${name} store, through the contract`, () => {
    /** The store for one case, or a skip when it needs a service that is not installed. */
    async function open(t: TestContext): Promise<SessionStore | undefined> {
      const store = await make();
      if (!store) t.skip(`redis-server not installed (apt-get install redis-server)`);
      return store;
    }

    test("write then read gives the data and creation time back, as copies", async (t) => {
      const store = await open(t);
      if (!store) return;
      const data: StoredData = { a: 1, nested: { list: [1, "2", null] } };
      const token = await put(store, id(1), { data, createdAt: 123 }, 60);
      const read = await readBack(store, token, 60);
      assert.deepEqual(read, { data, createdAt: 123 });
      (read!.data.nested as { list: unknown[] }).list.push("mutated");
      assert.deepEqual((await readBack(store, token, 60))!.data, data);
      assert.equal((await store.read(token, 60))!.id ?? token, id(1), "the session's id is the token, or the id the store names");
      await store.close?.();
    });

    test("the write-token rule: a server-side store's token is the id; a client-side store answers a fresh token per write", async (t) => {
      const store = await open(t);
      if (!store) return;
      const first = await store.write(id(9), { data: { a: 1 }, createdAt: 1 }, 60);
      const second = await store.write(id(9), { data: { a: 2 }, createdAt: 1 }, 60);
      if (store.clientSide) {
        assert.ok(typeof first === "string" && typeof second === "string" && first !== second, "every write seals anew");
        assert.deepEqual(await readBack(store, first, 60), { data: { a: 1 }, createdAt: 1 }, "an older token still reads: a client-side session cannot be revoked");
        assert.deepEqual(await readBack(store, second, 60), { data: { a: 2 }, createdAt: 1 });
      } else {
        assert.ok(typeof first !== "string" && typeof second !== "string", `${String(first)}, ${String(second)}`);
        assert.deepEqual(await readBack(store, id(9), 60), { data: { a: 2 }, createdAt: 1 });
      }
      await store.close?.();
    });

    test("an unknown token reads as undefined; destroy ends a session (a no-op on a client-side store) and tolerates an unknown id", async (t) => {
      const store = await open(t);
      if (!store) return;
      assert.equal(await store.read(id(2), 60), undefined);
      const token = await put(store, id(2), { data: { a: 1 }, createdAt: 1 }, 60);
      await store.destroy(id(2));
      await store.destroy(id(3));
      assert.deepEqual(await readBack(store, token, 60), store.clientSide ? { data: { a: 1 }, createdAt: 1 } : undefined);
      await store.close?.();
    });

    test("a destroyed session stays destroyed: a write that replaces an existing session writes nothing and answers false", async (t) => {
      const store = await open(t);
      if (!store || store.clientSide) return;
      await put(store, id(10), { data: { user_id: "ada" }, createdAt: 1 }, 60);
      await store.destroy(id(10));
      assert.equal(await store.write(id(10), { data: { user_id: "ada", late: true }, createdAt: 1 }, 60, undefined, { existing: true }), false);
      assert.equal(await store.read(id(10), 60), undefined);
      await store.close?.();
    });

    test("write replaces the whole session", async (t) => {
      const store = await open(t);
      if (!store) return;
      await put(store, id(4), { data: { a: 1, b: 2 }, createdAt: 1 }, 60);
      const token = await put(store, id(4), { data: { c: 3 }, createdAt: 2 }, 60);
      assert.deepEqual(await readBack(store, token, 60), { data: { c: 3 }, createdAt: 2 });
      await store.close?.();
    });

    test("a session idle longer than its ttl is gone", async (t) => {
      const store = await open(t);
      if (!store) return;
      const token = await put(store, id(5), { data: { a: 1 }, createdAt: 1 }, 1);
      if (store instanceof FileStore) {
        // The file's modification time is its last activity: age it instead of waiting.
        const past = new Date(Date.now() - 2_000);
        utimesSync(store.pathOf(id(5)), past, past);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1_100));
      }
      assert.equal(await store.read(token, 1), undefined);
      await store.close?.();
    });

    test("a patch of a session destroyed meanwhile (signed out, revoked) leaves it destroyed", async (t) => {
      const store = await open(t);
      if (!store?.patch) return;
      await store.write(id(8), { data: { user_id: "ada" }, createdAt: 1 }, 60);
      await store.destroy(id(8));
      assert.equal(await store.patch(id(8), { set: new Map([["seen", 1]]), deleted: new Set(), increments: new Map([["n", 1]]) }, 60), false);
      assert.equal(await store.read(id(8), 60), undefined);
      await store.close?.();
    });

    test("patch applies sets, deletes and increments, and refuses an increment of a non-number whole", async (t) => {
      const store = await open(t);
      if (!store?.patch) return;
      await store.write(id(6), { data: { n: 1, s: "x", gone: true }, createdAt: 1 }, 60);
      await store.patch(id(6), { set: new Map([["t", "y"]]), deleted: new Set(["gone"]), increments: new Map([["n", 2]]) }, 60);
      assert.deepEqual((await readBack(store, id(6), 60))!.data, { n: 3, s: "x", t: "y" });
      await assert.rejects(store.patch(id(6), { set: new Map([["u", 1]]), deleted: new Set(), increments: new Map([["s", 1]]) }, 60), SessionConflict);
      assert.deepEqual((await readBack(store, id(6), 60))!.data, { n: 3, s: "x", t: "y" }, "nothing of the refused patch landed");
      await store.close?.();
    });

    test("random writes, reads and destroys agree with a plain map (destroy leaves a client-side session readable)", async (t) => {
      const store = await open(t);
      if (!store) return;
      const operation = fc.oneof(
        fc.record({ op: fc.constant("write" as const), n: fc.integer({ min: 0, max: 4 }), value: fc.jsonValue() }),
        fc.record({ op: fc.constant("destroy" as const), n: fc.integer({ min: 0, max: 4 }) }),
        fc.record({ op: fc.constant("read" as const), n: fc.integer({ min: 0, max: 4 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { maxLength: 20 }), async (ops) => {
          const model = new Map<string, StoredData>();
          const tokens = new Map<string, string>();
          for (const n of [0, 1, 2, 3, 4]) await store.destroy(id(100 + n));
          for (const step of ops) {
            const key = id(100 + step.n);
            if (step.op === "write") {
              // JSON's own round trip is the model: -0 becomes 0, and so on.
              const data = JSON.parse(JSON.stringify({ v: step.value })) as StoredData;
              tokens.set(key, await put(store, key, { data, createdAt: 1 }, 60));
              model.set(key, data);
            } else if (step.op === "destroy") {
              await store.destroy(key);
              if (!store.clientSide) model.delete(key);
            } else {
              assert.deepEqual((await readBack(store, tokens.get(key) ?? key, 60))?.data, model.get(key));
            }
          }
        }),
        { numRuns: name === "file" || name === "redis" ? 40 : 200 },
      );
      await store.close?.();
    });

    describe("the owner index", () => {
      const ownedBy = (owner: string) => (data: StoredData) => data.user_id === owner;

      test("lists the sessions written for an owner, each once, with creation and last activity, and no other owner's", async (t) => {
        const store = await open(t);
        if (!store?.listOwner) return;
        const before = Date.now();
        await store.write(id(20), { data: { user_id: "ada" }, createdAt: 100 }, 60, "ada");
        await store.write(id(21), { data: { user_id: "ada", n: 1 }, createdAt: 200 }, 60, "ada");
        await store.patch?.(id(21), { set: new Map([["n", 2]]), deleted: new Set(), increments: new Map() }, 60, "ada");
        await store.write(id(22), { data: { user_id: "bob" }, createdAt: 300 }, 60, "bob");
        const listed = await store.listOwner!("ada", 60, ownedBy("ada"));
        assert.deepEqual(listed.map((s) => s.id).sort(), [id(20), id(21)]);
        const second = listed.find((s) => s.id === id(21))!;
        assert.equal(second.createdAt, 200);
        assert.equal(second.data.n, store.patch ? 2 : 1);
        assert.ok(second.lastSeenAt >= before - 1000 && second.lastSeenAt <= Date.now() + 1000, `last seen ${second.lastSeenAt} is about now`);
        assert.deepEqual((await store.listOwner!("bob", 60, ownedBy("bob"))).map((s) => s.id), [id(22)]);
        assert.deepEqual(await store.listOwner!("nobody", 60, ownedBy("nobody")), []);
        await store.close?.();
      });

      test("listing neither slides a session's expiry nor counts as activity", async (t) => {
        const store = await open(t);
        if (!store?.listOwner) return;
        await store.write(id(23), { data: { user_id: "ada" }, createdAt: 1 }, 60, "ada");
        const [first] = await store.listOwner!("ada", 60, ownedBy("ada"));
        await new Promise((resolve) => setTimeout(resolve, 30));
        const [again] = await store.listOwner!("ada", 60, ownedBy("ada"));
        // Redis works last activity out from the remaining idle time, to within a millisecond or two.
        assert.ok(Math.abs(again!.lastSeenAt - first!.lastSeenAt) <= 5, `${again!.lastSeenAt - first!.lastSeenAt} ms apart`);
        await store.close?.();
      });

      test("destroyed, expired and re-owned sessions leave the index when it is listed", async (t) => {
        const store = await open(t);
        if (!store?.listOwner) return;
        await store.write(id(24), { data: { user_id: "ada" }, createdAt: 1 }, 60, "ada");
        await store.write(id(25), { data: { user_id: "ada" }, createdAt: 1 }, 60, "ada");
        await store.write(id(26), { data: { user_id: "ada" }, createdAt: 1 }, 1, "ada");
        await store.write(id(27), { data: { user_id: "ada" }, createdAt: 1 }, 60, "ada");
        await store.destroy(id(24)); // without its owner: the entry stays until listed
        await store.write(id(27), { data: { user_id: "bob" }, createdAt: 1 }, 60, "bob"); // signed in as someone else
        if (store instanceof FileStore) {
          const past = new Date(Date.now() - 2_000);
          utimesSync(store.pathOf(id(26)), past, past);
        } else {
          await new Promise((resolve) => setTimeout(resolve, 1_100));
        }
        assert.deepEqual((await store.listOwner!("ada", 1, ownedBy("ada"))).map((s) => s.id), [id(25)]);
        assert.deepEqual((await store.listOwner!("bob", 60, ownedBy("bob"))).map((s) => s.id), [id(27)]);
        if (store instanceof FileStore) {
          const entries = readdirSync(path.join(folders.at(-1)!, "owners"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
          assert.deepEqual(entries, [id(25), id(27)].map((n) => path.basename(store.pathOf(n), ".json")).sort(), "only live sessions keep an index entry");
        }
        await store.close?.();
      });

      test("destroy with the owner removes the index entry at once", async (t) => {
        const store = await open(t);
        if (!store?.listOwner) return;
        await store.write(id(28), { data: { user_id: "ada" }, createdAt: 1 }, 60, "ada");
        await store.destroy(id(28), "ada");
        assert.deepEqual(await store.listOwner!("ada", 60, () => true), [], "nothing is listed even when owns() accepts anything");
        await store.close?.();
      });
    });
  });
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
