import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BodyReader } from "masonite/request";

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("BodyReader", () => {
  const reader = new BodyReader({ limit: "1mb", input: { depth: 3, keys: 4, total: 8 } });

  test("JSON: an object or array within the limits; other text is a coded 400", () => {
    assert.deepEqual(reader.parseJson('{"a":[1,{"b":2}]}'), { a: [1, { b: 2 }] });
    assert.deepEqual(reader.parseJson(""), {});
    assert.equal(code(() => reader.parseJson('"text"')), "E_BODY_NOT_JSON");
    assert.equal(code(() => reader.parseJson('{"a":1} trailing')), "E_BODY_NOT_JSON");
    assert.equal(code(() => reader.parseJson('{"a":[[[[1]]]]}')), "E_INPUT_TOO_DEEP");
    assert.equal(code(() => reader.parseJson("[1,2,3,4,5]")), "E_INPUT_TOO_WIDE");
    assert.equal(code(() => reader.parseJson('{"__proto__":{"x":1}}')), "E_INPUT_PROTO_KEY");
  });

  test("forms: nested keys and dots as before, and the same limits as JSON; nothing is cut short in silence", () => {
    assert.deepEqual(reader.parseForm("user[name]=a&user.email=b&tags[]=x&tags[]=y"), { user: { name: "a", email: "b" }, tags: ["x", "y"] });
    assert.equal(code(() => reader.parseForm("a[b][c][d]=1")), "E_INPUT_TOO_DEEP");
    assert.equal(code(() => reader.parseForm(`a${"[b]".repeat(5_000)}=1`)), "E_INPUT_TOO_DEEP");
    assert.equal(code(() => reader.parseForm("a=1&b=2&c=3&d=4&e=5")), "E_INPUT_TOO_WIDE");
    assert.equal(code(() => reader.parseForm("a[a]=1&a[b]=2&b[a]=3&b[b]=4&c[a]=5&c[b]=6")), "E_INPUT_TOO_MANY");
    // 2,000 parameters against a total of 1,000: refused, where qs alone would keep the first 1,000.
    assert.equal(code(() => new BodyReader({ limit: "1mb", input: { keys: 5_000, total: 1_000 } }).parseForm(Array.from({ length: 2_000 }, (_, i) => `f${i}=1`).join("&"))), "E_INPUT_TOO_MANY");
  });
});
