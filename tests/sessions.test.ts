import "./support/env";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { TestClient } from "masonite/testing";
import { sessionFolder, startApp, startAppOn, type DriverApp, type DriverSetup } from "./support/app";
import { lab } from "./support/lab-client";
import { SuiteSkip } from "./support/skip";

/** The same table of Session behaviour, run against every driver. */
for (const driver of ["cookie", "redis", "file", "memory", "database:postgres", "database:mysql", "database:sqlite"] as DriverSetup[]) {
  describe(`Session API and flash rules (${driver} driver)`, () => {
    let running: DriverApp | undefined;
    const skips = new SuiteSkip();
    before(async () => {
      running = await startAppOn(driver, skips);
    });
    after(() => running?.close());

    /** A fresh visitor per test, so tests never share a session. */
    function visitor(t: { skip: (why: string) => void }): TestClient | undefined {
      if (skips.skipped(t)) return undefined;
      return running!.app.visitor();
    }

    test("values keep their JSON types across requests", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const values = { n: 42, f: 1.5, s: "1", b: false, z: null, list: [1, "2", { three: 3 }], nested: { a: { b: [true] } } };
      await lab(c, ...Object.entries(values).map(([key, value]) => ({ op: "set", key, value })));
      const got = await lab(c, ...Object.keys(values).map((key) => ({ op: "get", key })));
      assert.deepEqual(got, Object.values(values));
    });

    test("get falls back to the default; has, delete, pull and all", async (t) => {
      const c = visitor(t);
      if (!c) return;
      assert.deepEqual(await lab(c, { op: "get", key: "missing", value: "dflt" }, { op: "has", key: "missing" }), ["dflt", false]);
      await lab(c, { op: "set", key: "a", value: 1 }, { op: "set", key: "b", value: 2 });
      assert.deepEqual(await lab(c, { op: "has", key: "a" }, { op: "all" }), [true, { a: 1, b: 2 }]);
      assert.deepEqual(await lab(c, { op: "pull", key: "a" }, { op: "has", key: "a" }), [1, false]);
      assert.deepEqual(await lab(c, { op: "all" }), [{ b: 2 }]);
      await lab(c, { op: "delete", key: "b" });
      assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    });

    test("a stored null is a value: has() is true, get() returns null rather than the fallback, increment() refuses it", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "set", key: "z", value: null });
      assert.deepEqual(await lab(c, { op: "has", key: "z" }, { op: "get", key: "z", value: "fallback" }), [true, null]);
      const [refused] = (await lab(c, { op: "increment", key: "z" })) as [{ error: string }];
      assert.equal(refused.error, "TypeError");
    });

    test("a session ends 12 hours after it began (the default absolute lifetime), even while it stays active", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "set", key: "a", value: 1 });
      const realNow = Date.now;
      let offset = 0;
      Date.now = () => realNow() + offset;
      try {
        // A request every hour keeps the idle timeout from ever ending it.
        for (let hour = 1; hour < 12; hour++) {
          offset = hour * 3_600_000;
          assert.deepEqual(await lab(c, { op: "get", key: "a" }), [1], `alive after ${hour} h`);
        }
        offset = 12 * 3_600_000 + 1_000;
        assert.deepEqual(await lab(c, { op: "get", key: "a" }), [null], "ended after 12 h");
      } finally {
        Date.now = realNow;
      }
    });

    test("names objects inherit (constructor, toString) are ordinary keys: absent until set, then kept", async (t) => {
      const c = visitor(t);
      if (!c) return;
      assert.deepEqual(await lab(c, { op: "has", key: "constructor" }, { op: "get", key: "toString", value: "dflt" }), [false, "dflt"]);
      await lab(c, { op: "set", key: "constructor", value: "mine" }, { op: "increment", key: "hasOwnProperty" });
      assert.deepEqual(await lab(c, { op: "get", key: "constructor" }, { op: "all" }), ["mine", { constructor: "mine", hasOwnProperty: 1 }]);
    });

    test("values JSON cannot carry are refused at set and flash time, naming the key", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const kinds = ["function", "bigint", "circular", "undefined", "date", "map", "nan", "nested"];
      const ops = kinds.flatMap((kind) => [
        { op: "setUnstorable", key: `k_${kind}`, value: kind },
        { op: "flashUnstorable", key: `f_${kind}`, value: kind },
      ]);
      const results = (await lab(c, ...ops, { op: "set", key: "__internal", value: 1 }, { op: "all" })) as Array<{ error: string; message: string }>;
      const all = results.pop();
      results.forEach((result, i) => {
        assert.equal(result.error, "TypeError", `op ${JSON.stringify(ops[i] ?? "__internal")}`);
        assert.match(result.message, new RegExp(i < ops.length ? String(ops[i]!.key) : "__internal"));
      });
      assert.deepEqual(all, {}, "nothing refused was stored");
      assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    });

    test("increment and decrement count, and refuse non-numbers", async (t) => {
      const c = visitor(t);
      if (!c) return;
      assert.deepEqual(await lab(c, { op: "increment", key: "n" }, { op: "increment", key: "n", by: 4 }), [1, 5]);
      assert.deepEqual(await lab(c, { op: "decrement", key: "n" }, { op: "get", key: "n" }), [4, 4]);
      assert.deepEqual(await lab(c, { op: "increment", key: "n", by: 10 }), [14]);
      assert.deepEqual(await lab(c, { op: "get", key: "n" }), [14]);
      await lab(c, { op: "set", key: "word", value: "x" });
      const [refused] = (await lab(c, { op: "increment", key: "word" })) as Array<{ error: string }>;
      assert.equal(refused!.error, "TypeError");
    });

    test("flash: readable in the same request and the next, gone from the one after", async (t) => {
      const c = visitor(t);
      if (!c) return;
      assert.deepEqual(await lab(c, { op: "has", key: "msg" }, { op: "flash", key: "msg", value: "hi" }, { op: "get", key: "msg" }), [false, null, "hi"]);
      assert.deepEqual(await lab(c, { op: "get", key: "msg" }, { op: "has", key: "msg" }, { op: "all" }), ["hi", true, { msg: "hi" }]);
      assert.deepEqual(await lab(c, { op: "has", key: "msg" }), [false]);
    });

    test("flash: gone at N+2 even when N+1 never read it", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "flash", value: { a: 1, b: 2 } });
      await lab(c);
      assert.deepEqual(await lab(c, { op: "has", key: "a" }, { op: "has", key: "b" }), [false, false]);
    });

    test("flash: reading a flashed key never deletes other data", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "set", key: "keep", value: "me" }, { op: "flash", key: "f", value: 1 });
      await lab(c, { op: "get", key: "f" });
      assert.deepEqual(await lab(c, { op: "all" }), [{ keep: "me" }]);
    });

    test("flash: reflash keeps everything one more request; keep keeps only the named keys", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "flash", value: { a: 1, b: 2, c: 3 } });
      await lab(c, { op: "reflash" });
      assert.deepEqual(await lab(c, { op: "all" }), [{ a: 1, b: 2, c: 3 }]);
      // That was the reflashed request's N+1; now keep only a and c.
      await lab(c, { op: "flash", value: { a: 1, b: 2, c: 3 } });
      await lab(c, { op: "keep", keys: ["a", "c"] });
      assert.deepEqual(await lab(c, { op: "all" }), [{ a: 1, c: 3 }]);
      assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    });

    test("set after flash makes the value permanent", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "flash", key: "x", value: 1 }, { op: "set", key: "x", value: 2 });
      await lab(c);
      assert.deepEqual(await lab(c, { op: "get", key: "x" }), [2]);
    });

    test("flush removes all data", async (t) => {
      const c = visitor(t);
      if (!c) return;
      await lab(c, { op: "set", key: "a", value: 1 }, { op: "flash", key: "f", value: 1 });
      assert.deepEqual(await lab(c, { op: "flush" }, { op: "all" }), [null, {}]);
      assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    });

    test("regenerate changes the id and keeps the data; invalidate drops both", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const [, first] = (await lab(c, { op: "set", key: "user", value: "ada" }, { op: "id" })) as [null, string];
      const [, second] = (await lab(c, { op: "regenerate" }, { op: "id" })) as [null, string];
      assert.notEqual(second, first);
      const [third, user] = (await lab(c, { op: "id" }, { op: "get", key: "user" })) as [string, string];
      assert.equal(third, second);
      assert.equal(user, "ada");
      const [, fourth] = (await lab(c, { op: "invalidate" }, { op: "id" })) as [null, string];
      assert.notEqual(fourth, second);
      assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    });

    test("regenerate and invalidate rotate the CSRF token", async (t) => {
      const c = visitor(t);
      if (!c) return;
      const [before] = (await lab(c, { op: "token" })) as [string];
      const [, rotated] = (await lab(c, { op: "regenerate" }, { op: "token" })) as [null, string];
      assert.notEqual(rotated, before);
      const [, again] = (await lab(c, { op: "invalidate" }, { op: "token" })) as [null, string];
      assert.notEqual(again, rotated);
    });

    test("two visitors never see each other's data, also when requests overlap", async (t) => {
      const a = visitor(t);
      const b = visitor(t);
      if (!a || !b) return;
      await Promise.all([lab(a, { op: "set", key: "who", value: "a" }), lab(b, { op: "set", key: "who", value: "b" })]);
      const rounds = await Promise.all(Array.from({ length: 20 }, (_, i) => lab(i % 2 ? a : b, { op: "get", key: "who" })));
      rounds.forEach((r, i) => assert.deepEqual(r, [i % 2 ? "a" : "b"]));
    });

    test("a session over its store's size limit answers 500, sends no cookie and keeps what it held", async (t) => {
      const c = visitor(t);
      if (!c) return;
      // Over each store's default budget: the cookie driver's 6 KB of cookies, the server-side drivers' 256 KB.
      const bytes = driver === "cookie" ? 12_500 : 300_000;
      await lab(c, { op: "set", key: "kept", value: "yes" });
      const cookies = c.jar.header();
      const over = await c.post("/_lab/big", { bytes }, { headers: { accept: "application/json" } });
      over.assertStatus(500);
      assert.deepEqual(over.headers.getSetCookie(), [], "no cookie was written");
      assert.equal(c.jar.header(), cookies);
      assert.deepEqual(await lab(c, { op: "all" }), [{ kept: "yes" }], "the session holds what it held before");
    });
  });
}

test("a file-store session survives an app restart; the folder holds one private file per session", async () => {
  const directory = sessionFolder();
  const first = await startApp({ driver: "file", driverConfig: { directory } });
  const visitor = first.visitor();
  await lab(visitor, { op: "set", key: "cart", value: ["book"] });
  await first.close();
  // One file, named by a keyed hash of the id (the id itself is a credential), next to the owners' index folder.
  const files = readdirSync(directory).filter((name) => name !== "owners");
  assert.equal(files.length, 1, files.join());
  assert.match(files[0]!, /^[0-9a-f]{64}\.json$/);
  const second = await startApp({ driver: "file", driverConfig: { directory } });
  try {
    const again = second.visitor();
    again.jar.set("masonite_session", visitor.jar.get("masonite_session")!);
    assert.deepEqual(await lab(again, { op: "get", key: "cart" }), [["book"]]);
  } finally {
    await second.close();
  }
});
