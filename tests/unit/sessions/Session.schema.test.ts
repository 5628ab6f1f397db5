import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import type { Logger } from "masonite/core";
import { Session, type LoadedSession, type SessionSchema, type StoredData, type ValueSchema } from "masonite/sessions";

const ID = "A".repeat(43);
const ITEMS = z.array(z.object({ sku: z.string(), qty: z.number() }));

function loaded(data: StoredData): LoadedSession {
  return { id: ID, data, createdAt: Date.now() };
}

function warnings(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info() {}, warn: (line: string) => lines.push(line), error() {} } as unknown as Logger & { lines: string[] };
}

/** A schema that counts how often it runs. */
function counted<T>(schema: ValueSchema<T>): ValueSchema<T> & { calls: number } {
  const wrapper = {
    calls: 0,
    safeParse(value: unknown) {
      wrapper.calls++;
      return schema.safeParse(value);
    },
  };
  return wrapper;
}

/** The tests' SCHEMA, for keys the root project's SessionData does not declare. */
function schema(entries: Record<string, ValueSchema>): SessionSchema {
  return entries as SessionSchema;
}

describe("Session: the SCHEMA check on read", () => {
  test("a stored value that fits is returned as stored, and nothing is logged", () => {
    const logger = warnings();
    const cart = [{ sku: "book", qty: 2 }];
    const session = new Session(loaded({ cart }), { schema: schema({ cart: ITEMS }), logger });
    assert.deepEqual(session.get("cart"), cart);
    assert.equal(session.has("cart"), true);
    assert.deepEqual(logger.lines, []);
    assert.equal(session.changes().clean, true);
  });

  test("a stored value that no longer fits is dropped, with one warning naming the key and not the value", () => {
    const logger = warnings();
    const session = new Session(loaded({ cart: "sku-1234-secret", user_id: "u1" }), { schema: schema({ cart: ITEMS }), logger });
    assert.equal(session.get("cart"), undefined);
    assert.deepEqual(session.get("cart", []), []);
    assert.equal(session.has("cart"), false);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /"cart"/);
    assert.doesNotMatch(logger.lines[0]!, /sku-1234-secret/);
    // Dropped from the store too, so the next request does not meet it again; other keys stay.
    const changes = session.changes();
    assert.deepEqual([...changes.deleted], ["cart"]);
    assert.deepEqual(changes.snapshot(), { user_id: "u1" });
  });

  test("has, pull, all and increment check before they read", () => {
    const data = { cart: 5, visits: "many", kept: [{ sku: "a", qty: 1 }] };
    const entries = { cart: ITEMS, visits: z.number(), kept: ITEMS };
    const logger = warnings();
    assert.equal(new Session(loaded(data), { schema: schema(entries), logger }).has("cart"), false);
    assert.equal(new Session(loaded(data), { schema: schema(entries), logger }).pull("cart", "none"), "none");
    assert.deepEqual(new Session(loaded(data), { schema: schema(entries), logger }).all(), { kept: [{ sku: "a", qty: 1 }] });
    // A counter that an older deploy stored as text starts over rather than failing the request.
    assert.equal(new Session(loaded(data), { schema: schema(entries), logger }).increment("visits"), 1);
    assert.equal(logger.lines.length, 5);
  });

  test("only keys that are read are checked, each once per request", () => {
    const cart = counted(ITEMS);
    const user = counted(z.string());
    const session = new Session(loaded({ cart: [], user_id: "u1" }), { schema: schema({ cart, user_id: user }) });
    session.get("cart");
    session.get("cart");
    session.has("cart");
    session.set("notice", "hi");
    session.changes();
    assert.equal(cart.calls, 1);
    assert.equal(user.calls, 0);
  });

  test("a value written during the request is not checked: it came from this deploy's code", () => {
    const cart = counted(ITEMS);
    const session = new Session(loaded({ cart: "old" }), { schema: schema({ cart }) });
    session.set("cart", "new").flash("other", 1);
    assert.equal(session.get("cart"), "new");
    session.delete("cart");
    assert.equal(session.get("cart"), undefined);
    assert.equal(cart.calls, 0);
  });

  test("a fresh session and flushed data have nothing to check", () => {
    const cart = counted(ITEMS);
    const fresh = new Session(undefined, { schema: schema({ cart }) });
    assert.equal(fresh.get("cart"), undefined);
    const flushed = new Session(loaded({ cart: "old" }), { schema: schema({ cart }) }).flush();
    assert.equal(flushed.get("cart"), undefined);
    assert.equal(cart.calls, 0);
  });

  test("any stored value: returned exactly when the schema accepts it, dropped with one warning otherwise", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const logger = warnings();
        const session = new Session(loaded({ count: value }), { schema: schema({ count: z.number() }), logger });
        const fits = typeof value === "number";
        assert.deepEqual(session.get("count"), fits ? value : undefined);
        assert.deepEqual(session.all(), fits ? { count: value } : {});
        assert.equal(logger.lines.length, fits ? 0 : 1);
      }),
    );
  });
});
