import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConfigurationError } from "masonite/core";
import { Encrypter, generateKey } from "masonite/security";

const KEY = generateKey();

describe("Encrypter", () => {
  test("whatever the plaintext, open(seal(x)) is x, the sealed length is what sealedLength says, and every seal differs", () => {
    const encrypter = new Encrypter({ key: KEY, purpose: "test" });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        const plain = Buffer.from(bytes);
        const sealed = encrypter.seal(plain, "name");
        assert.equal(sealed.length, Encrypter.sealedLength(plain.length));
        assert.deepEqual(encrypter.open(sealed, "name"), plain);
        assert.notEqual(encrypter.seal(plain, "name"), sealed, "a fresh nonce per seal");
      }),
      { numRuns: 300 },
    );
  });

  test("any changed character, another associated value, or another key is refused", () => {
    const encrypter = new Encrypter({ key: KEY, purpose: "test" });
    const sealed = encrypter.seal(Buffer.from("secret data"), "cookie-a");
    fc.assert(
      fc.property(fc.nat({ max: sealed.length - 1 }), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), (at, char) => {
        fc.pre(sealed[at] !== char);
        assert.equal(encrypter.open(sealed.slice(0, at) + char + sealed.slice(at + 1), "cookie-a"), undefined);
      }),
    );
    assert.equal(encrypter.open(sealed, "cookie-b"), undefined, "bound to where it lives");
    assert.equal(new Encrypter({ key: generateKey(), purpose: "test" }).open(sealed, "cookie-a"), undefined);
    assert.equal(new Encrypter({ key: KEY, purpose: "other" }).open(sealed, "cookie-a"), undefined, "keys are derived per purpose");
    assert.equal(encrypter.open("", "cookie-a"), undefined);
  });

  test("a rotated key still opens what the previous key sealed; new seals use the new key", () => {
    const old = new Encrypter({ key: KEY, purpose: "test" });
    const sealed = old.seal(Buffer.from("kept"), "c");
    const rotated = new Encrypter({ key: generateKey(), previousKeys: [KEY], purpose: "test" });
    assert.equal(rotated.open(sealed, "c")?.toString(), "kept");
    assert.equal(old.open(rotated.seal(Buffer.from("new"), "c"), "c"), undefined);
  });

  test("a key shorter than 32 bytes is refused with the way to make one", () => {
    assert.throws(() => new Encrypter({ key: "short", purpose: "test" }), (error: unknown) => error instanceof ConfigurationError && /craft key/.test(error.message));
  });
});
