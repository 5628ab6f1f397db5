import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConfigurationError, ENVIRONMENTS, environment } from "masonite/foundation";

describe("environment", () => {
  test("any spelling of a known environment, in any case and with surrounding spaces, is that environment", () => {
    for (const raw of ["Production", "PRODUCTION", " production", "production\n", "\tProDuction ", "production"]) assert.equal(environment(raw), "production");
    assert.equal(environment(" Development"), "development");
    assert.equal(environment("TESTING "), "testing");
  });

  test("property: case and surrounding whitespace never change the answer", () => {
    const spaces = fc.array(fc.constantFrom(" ", "\t", "\n", "\r"), { maxLength: 3 }).map((chars) => chars.join(""));
    const flips = fc.array(fc.boolean(), { minLength: 11, maxLength: 11 });
    fc.assert(
      fc.property(fc.constantFrom(...ENVIRONMENTS), spaces, spaces, flips, (name, before, after, flip) => {
        const mixed = [...name].map((char, i) => (flip[i] ? char.toUpperCase() : char)).join("");
        assert.equal(environment(`${before}${mixed}${after}`), name);
      }),
    );
  });

  test("anything else is a coded ConfigurationError listing the known values", () => {
    for (const raw of ["staging", "prod", "", "  ", "production1", "pro duction"]) {
      assert.throws(
        () => environment(raw),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError);
          assert.equal(error.code, "E_UNKNOWN_APP_ENV");
          assert.match(error.message, /set it to one of development, production, testing\.$/);
          assert.ok(error.message.includes(JSON.stringify(raw)), "the message quotes the value it refused");
          return true;
        },
      );
    }
  });
});
