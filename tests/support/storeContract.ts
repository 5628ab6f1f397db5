import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import fc from "fast-check";
import { SessionConflict, type SessionRecord, type SessionStore, type StoredData, type WriteOptions } from "masonite/sessions";

/**
 * One table of session cases, run against every store through the contract alone (read, write,
 * destroy, patch, listOwner). A case that needs a capability (patch, an owner index, a session
 * the server can end) runs on the stores that have it. The write-token rule: a store's `write`
 * answers either nothing or a boolean (the cookie then carries the id) or a string (the token it
 * carries instead); `read` is handed that token. The same cases run over HTTP in the integration tests.
 */
export const id = (n: number) => String(n).padStart(43, "A");

/** Writes through the contract and answers the token a cookie would then carry: the one `write` answered, else the id. */
export async function put(store: SessionStore, key: string, record: SessionRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<string> {
  const written = await store.write(key, record, ttl, owner, options);
  return typeof written === "string" ? written : key;
}

/** The record `read` answers, without what only some stores add (the cookie store's sealed id and expiry). */
export async function readBack(store: SessionStore, token: string, ttl: number): Promise<SessionRecord | undefined> {
  const found = await store.read(token, ttl);
  // A plain copy: the redis store hands back null-prototype objects, so no stored key can pass for a prototype's.
  return found && { data: { ...found.data }, createdAt: found.createdAt };
}

/** What a store's table rows may need besides the store: how to age a session, and a look at its owner index. */
export interface ContractHooks {
  /** Makes the session `key` look idle for longer than its 1-second ttl, instead of waiting; false to wait. */
  age?(store: SessionStore, key: string): boolean;
  /** After a listing pruned the owner index, checks what the store keeps of it for the live sessions `live`. */
  checkIndex?(store: SessionStore, live: string[]): void;
  /** Runs of the random-operations property (default 200; fewer for stores with I/O). */
  numRuns?: number;
  /** Why `make` may answer undefined, for the skip. */
  skipReason?: string;
}

/**
 * The shared table of session cases for the store `name`: `make` answers a fresh store (or
 * undefined, skipped with `hooks.skipReason`). The unit tests run it for cookie, memory, file
 * and redis; tests/database-driver.test.ts for each SQL dialect.
 */
export function storeContract(name: string, make: () => Promise<SessionStore | undefined>, hooks: ContractHooks = {}): void {
  describe(`${name} store, through the contract`, () => {
    /** The store for one case, or a skip when it needs a service that is not installed. */
    async function open(t: TestContext): Promise<SessionStore | undefined> {
      const store = await make();
      if (!store) t.skip(hooks.skipReason ?? `${name} is not available`);
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
      if (!hooks.age?.(store, id(5))) await new Promise((resolve) => setTimeout(resolve, 1_100));
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

    test("keys of any characters round-trip through write and patch (no key is taken for a path)", async (t) => {
      const store = await open(t);
      if (!store) return;
      const keys = ["a.b", 'q"uote', "back\\slash", "$.x[0]", "sp ace", "*", "ünï"] as const;
      const data: StoredData = Object.fromEntries(keys.map((key, n) => [key, n]));
      const token = await put(store, id(12), { data, createdAt: 1 }, 60);
      if (store.patch) {
        await store.patch(id(12), { set: new Map([[keys[0], "set"]]), deleted: new Set([keys[1]]), increments: new Map([[keys[2], 5]]) }, 60);
        delete data[keys[1]];
        data[keys[0]] = "set";
        data[keys[2]] = 7;
      }
      assert.deepEqual((await readBack(store, token, 60))!.data, data);
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
        { numRuns: hooks.numRuns ?? 200 },
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
        if (!hooks.age?.(store, id(26))) await new Promise((resolve) => setTimeout(resolve, 1_100));
        assert.deepEqual((await store.listOwner!("ada", 1, ownedBy("ada"))).map((s) => s.id), [id(25)]);
        assert.deepEqual((await store.listOwner!("bob", 60, ownedBy("bob"))).map((s) => s.id), [id(27)]);
        hooks.checkIndex?.(store, [id(25), id(27)]);
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
