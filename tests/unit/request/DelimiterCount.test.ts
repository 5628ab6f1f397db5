import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { DelimiterCount } from "masonite/request";

/** The delimiters in the whole body at once, not overlapping, as if a line break came before it. */
function countWhole(body: Buffer, needle: Buffer): number {
  const data = Buffer.concat([Buffer.from("\r\n"), body]);
  let count = 0;
  for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, at + needle.length)) count++;
  return count;
}

describe("DelimiterCount", () => {
  test("counts the same delimiters however the body is cut into chunks", () => {
    const needle = Buffer.from("\r\n--xb");
    // Bodies built from pieces of the delimiter and other bytes, so delimiters and near-misses are common.
    const piece = fc.constantFrom("\r\n--xb", "\r\n", "--", "xb", "\r", "-", "x", "b", "a", "--xb");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(12), { maxLength: 20 }), (pieces, cuts) => {
        const body = Buffer.from(pieces.join(""));
        const counter = new DelimiterCount("multipart/form-data; boundary=xb");
        let at = 0;
        for (const cut of cuts) {
          counter.push(body.subarray(at, Math.min(body.length, at + cut)));
          at = Math.min(body.length, at + cut);
        }
        counter.push(body.subarray(at));
        assert.equal(counter.count, countWhole(body, needle));
      }),
      { numRuns: 2_000 },
    );
  });

  test("the body may open with the delimiter's dashes; no boundary counts nothing", () => {
    const counter = new DelimiterCount('multipart/form-data; boundary="b"');
    counter.push(Buffer.from("--b\r\nx\r\n--b--"));
    assert.equal(counter.count, 2);
    const none = new DelimiterCount("multipart/form-data");
    none.push(Buffer.from("--b\r\n"));
    assert.equal(none.count, 0);
  });
});
