import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InputLimits, type InputLimitSettings } from "masonite/request";

/** The plain model: every value at most `depth` containers deep, every container within `keys`, all entries within `total`. */
function withinLimits(value: unknown, limits: InputLimitSettings, { refuseProto }: { refuseProto: boolean }): boolean {
  let total = 0;
  const visit = (v: unknown, depth: number): boolean => {
    if (depth > limits.depth) return false;
    if (v === null || typeof v !== "object") return true;
    const keys = Object.keys(v);
    if (refuseProto && !Array.isArray(v) && keys.includes("__proto__")) return false;
    if (keys.length > limits.keys) return false;
    total += keys.length;
    if (total > limits.total) return false;
    return keys.every((key) => visit((v as Record<string, unknown>)[key], depth + 1));
  };
  return visit(value, 0);
}

function refusal(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Keys that are hard on a scanner: quotes, backslashes, brackets, and "__proto__" (kept as an own key). */
const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("__proto__", 'a"b', "\\", "[{", "}]", ",:", "constructor"));
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }), fc.constantFrom('"', "\\", "[[[", "{,}", "\\\""));
const { value } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 6 }),
  object: fc.array(fc.tuple(key, tie("value")), { maxLength: 6 }).map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }),
}));
const settings = fc.record({ depth: fc.integer({ min: 0, max: 6 }), keys: fc.integer({ min: 0, max: 6 }), total: fc.integer({ min: 0, max: 25 }) });

describe("InputLimits", () => {
  test("scanJson accepts exactly the JSON texts the model says are within the limits", () => {
    fc.assert(
      fc.property(value, settings, fc.constantFrom(0, 2, "\t"), (input, limits, space) => {
        const text = JSON.stringify(input, null, space);
        const refused = refusal(() => new InputLimits(limits).scanJson(text));
        assert.equal(refused === undefined, withinLimits(input, limits, { refuseProto: true }), `${text} under ${JSON.stringify(limits)}: ${refused}`);
      }),
      { numRuns: 2_000 },
    );
  });

  test("check accepts exactly the built values the model says are within the limits", () => {
    fc.assert(
      fc.property(value, settings, (input, limits) => {
        const refused = refusal(() => new InputLimits(limits).check(input));
        assert.equal(refused === undefined, withinLimits(input, limits, { refuseProto: false }), `${JSON.stringify(input)} under ${JSON.stringify(limits)}: ${refused}`);
      }),
      { numRuns: 2_000 },
    );
  });

  test("each limit has its own coded error", () => {
    const limits = new InputLimits({ depth: 2, keys: 3, total: 5 });
    assert.equal(refusal(() => limits.scanJson("[[[1]]]")), "E_INPUT_TOO_DEEP");
    assert.equal(refusal(() => limits.scanJson('{"a":[1,2,3,4]}')), "E_INPUT_TOO_WIDE");
    assert.equal(refusal(() => limits.scanJson("[[1,2],[3,4]]")), "E_INPUT_TOO_MANY");
    assert.equal(refusal(() => limits.scanJson('{"a":{"__proto__":1}}')), "E_INPUT_PROTO_KEY");
    assert.equal(refusal(() => limits.check({ a: { b: { c: 1 } } })), "E_INPUT_TOO_DEEP");
    assert.equal(refusal(() => limits.check({ a: [1, 2, 3, 4] })), "E_INPUT_TOO_WIDE");
    assert.equal(refusal(() => limits.check([[1, 2], [3, 4]])), "E_INPUT_TOO_MANY");
  });

  test("a __proto__ key is refused however it is escaped; as a value, or a longer key, it is data", () => {
    const limits = new InputLimits();
    for (const text of ['{"\\u005f_proto__":1}', '{"__pro\\u0074o__":1}', '{"\\u005F\\u005F\\u0070\\u0072\\u006F\\u0074\\u006F\\u005F\\u005F":1}']) {
      assert.equal(refusal(() => limits.scanJson(text)), "E_INPUT_PROTO_KEY", text);
    }
    for (const text of ['{"a":"__proto__"}', '["__proto__"]', '{"__proto__x":1}', '{"x__proto__":{"\\"__proto__":2}}']) {
      assert.equal(refusal(() => limits.scanJson(text)), undefined, text);
    }
  });

  test("a hostile body is refused at the first entry over a limit, however much follows", () => {
    const limits = new InputLimits();
    assert.equal(refusal(() => limits.scanJson(`{"a":${"[".repeat(500_000)}`)), "E_INPUT_TOO_DEEP");
    assert.equal(refusal(() => limits.scanJson(`{${Array.from({ length: 70_000 }, (_, i) => `"k${i}":1`).join(",")}}`)), "E_INPUT_TOO_WIDE");
    assert.equal(refusal(() => limits.scanJson(JSON.stringify(Array.from({ length: 11 }, () => Array(1_000).fill(0))))), "E_INPUT_TOO_MANY");
    // At the limits exactly: accepted.
    assert.equal(refusal(() => limits.scanJson(`${"[".repeat(33)}${"]".repeat(33)}`)), undefined);
    assert.equal(refusal(() => limits.scanJson(`${"[".repeat(34)}${"]".repeat(34)}`)), "E_INPUT_TOO_DEEP");
    assert.equal(refusal(() => limits.scanJson(JSON.stringify(Array.from({ length: 10 }, () => Array(999).fill(0))))), undefined);
  });

  test("malformed text is left to JSON.parse: the scan neither throws on it nor hangs", () => {
    const limits = new InputLimits();
    for (const text of ['{"a":', '"unterminated', "]]]}}}", '{"a\\":1', "\\\\\\", "[1,,,2"]) {
      assert.equal(refusal(() => limits.scanJson(text)), undefined, text);
    }
  });
});
