import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageBag } from "masonite/validation";

describe("MessageBag", () => {
  test("from() accepts a bag, a field map and a plain list", () => {
    const bag = MessageBag.from({ email: "bad", name: ["short", "empty"] });
    assert.equal(MessageBag.from(bag), bag);
    assert.deepEqual(bag.fields(), ["email", "name"]);
    assert.deepEqual(bag.get("name"), ["short", "empty"]);
    assert.deepEqual(MessageBag.from(["one", "two"]).get(""), ["one", "two"]);
    assert.equal(MessageBag.from(undefined).any(), false);
    assert.equal(MessageBag.from(null).count(), 0);
  });

  test("first, has, all and count agree with what was added", () => {
    const bag = new MessageBag().add("a", "x").add("a", "y").add("b", "z");
    assert.equal(bag.first("a"), "x");
    assert.equal(bag.first("missing"), "");
    assert.equal(bag.has("b"), true);
    assert.equal(bag.has("c"), false);
    assert.deepEqual(bag.all(), ["x", "y", "z"]);
    assert.equal(bag.count(), 3);
  });

  test("get() hands out a copy; empty lists are dropped; toJSON round-trips", () => {
    const bag = new MessageBag({ a: ["x"], empty: [] });
    bag.get("a").push("mutated");
    assert.deepEqual(bag.get("a"), ["x"]);
    assert.equal(bag.has("empty"), false);
    assert.deepEqual(MessageBag.from(bag.toJSON()).toJSON(), { a: ["x"] });
  });
});
