import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Session, type LoadedSession, type SessionChanges, type StoredData } from "masonite/sessions";

/**
 * Random operation sequences, across requests, against a plain model of the rules: data,
 * the keys flashed by this request and by the previous one, and the CSRF token. Each sequence
 * runs on two kinds of store: one that keeps the whole snapshot (as the cookie driver does)
 * and one that applies the key-level changes (as the redis driver does).
 */

const KEYS = ["a", "b", "c"] as const;
type Key = (typeof KEYS)[number];
type Value = number | string | null;

type Op =
  | { op: "set" | "flash"; key: Key; value: Value }
  | { op: "delete" | "pull" | "keep"; key: Key }
  | { op: "increment"; key: Key; by: number }
  | { op: "reflash" | "flush" | "regenerate" | "invalidate" | "token" | "end" };

const key = fc.constantFrom(...KEYS);
const value: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom("x", "y"), fc.constant(null));
const operation: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom("set" as const, "flash" as const), key, value }),
  fc.record({ op: fc.constantFrom("delete" as const, "pull" as const, "keep" as const), key }),
  fc.record({ op: fc.constant("increment" as const), key, by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ op: fc.constantFrom("reflash" as const, "flush" as const, "regenerate" as const, "invalidate" as const, "token" as const) }),
  // Request boundaries come often, so flash data ages within a sequence.
  fc.constant({ op: "end" as const }),
  fc.constant({ op: "end" as const }),
);

class Model {
  data = new Map<string, Value>();
  flashNew = new Set<string>();
  flashOld = new Set<string>();
  token: string | undefined;

  forget(key: string): void {
    this.data.delete(key);
    this.flashNew.delete(key);
    this.flashOld.delete(key);
  }

  endRequest(): void {
    for (const key of this.flashOld) if (!this.flashNew.has(key)) this.data.delete(key);
    this.flashOld = this.flashNew;
    this.flashNew = new Set();
  }
}

interface Store {
  load(): LoadedSession | undefined;
  commit(changes: SessionChanges): void;
}

function snapshotStore(): Store {
  let stored: LoadedSession | undefined;
  return {
    load: () => stored && { ...stored, data: JSON.parse(JSON.stringify(stored.data)) as StoredData },
    commit(changes) {
      if (!changes.clean) stored = { id: changes.id, createdAt: changes.createdAt, data: JSON.parse(changes.snapshotJson()) as StoredData };
    },
  };
}

function patchStore(): Store {
  let id: string | undefined;
  let createdAt = 0;
  let fields = new Map<string, string>();
  return {
    load: () => (id === undefined ? undefined : { id, createdAt, data: Object.fromEntries([...fields].map(([k, v]) => [k, JSON.parse(v)])) as StoredData }),
    commit(changes) {
      if (changes.clean) return;
      if (changes.replace) {
        fields = new Map(Object.entries(changes.snapshot()).map(([k, v]) => [k, JSON.stringify(v)]));
      } else {
        for (const [k, by] of changes.increments) fields.set(k, String(Number(fields.get(k) ?? 0) + by));
        for (const k of changes.deleted) fields.delete(k);
        for (const [k, v] of changes.set) fields.set(k, JSON.stringify(v));
      }
      id = changes.id;
      createdAt = changes.createdAt;
    },
  };
}

function run(ops: Op[], store: Store): void {
  const model = new Model();
  let session = new Session(store.load());
  for (const step of ops) {
    switch (step.op) {
      case "set":
        session.set(step.key, step.value);
        model.forget(step.key);
        model.data.set(step.key, step.value);
        break;
      case "flash":
        session.flash(step.key, step.value);
        model.data.set(step.key, step.value);
        model.flashNew.add(step.key);
        model.flashOld.delete(step.key);
        break;
      case "delete":
        session.delete(step.key);
        model.forget(step.key);
        break;
      case "pull":
        assert.deepEqual(session.pull(step.key, "none"), model.data.has(step.key) ? model.data.get(step.key) : "none");
        model.forget(step.key);
        break;
      case "keep":
        session.keep(step.key);
        if (model.flashOld.delete(step.key)) model.flashNew.add(step.key);
        break;
      case "increment": {
        const current = model.data.has(step.key) ? model.data.get(step.key) : 0;
        if (typeof current !== "number") {
          assert.throws(() => session.increment(step.key, step.by), TypeError);
        } else {
          assert.equal(session.increment(step.key, step.by), current + step.by);
          model.data.set(step.key, current + step.by);
        }
        break;
      }
      case "reflash":
        session.reflash();
        for (const k of model.flashOld) model.flashNew.add(k);
        model.flashOld.clear();
        break;
      case "flush":
      case "invalidate":
        session[step.op]();
        model.data.clear();
        model.flashNew.clear();
        model.flashOld.clear();
        model.token = undefined;
        break;
      case "regenerate":
        session.regenerate();
        model.token = undefined;
        break;
      case "token": {
        const token = session.token();
        if (model.token !== undefined) assert.equal(token, model.token, "the CSRF token changed without flush, regenerate or invalidate");
        model.token = token;
        break;
      }
      case "end":
        store.commit(session.changes());
        model.endRequest();
        session = new Session(store.load());
        break;
    }
    assert.deepEqual(session.all(), Object.fromEntries(model.data), `after ${JSON.stringify(step)}`);
    for (const k of KEYS) assert.equal(session.has(k), model.data.has(k));
  }
}

test("Session follows the model of its rules across requests, on a snapshot store and on a patching store", () => {
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 60 }), (ops) => {
      run(ops, snapshotStore());
      run(ops, patchStore());
    }),
    { numRuns: 1000 },
  );
});
