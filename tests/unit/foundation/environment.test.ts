import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { appEnvironment, ConfigurationError, ENVIRONMENTS, environment, proxyHops } from "masonite/foundation";

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

describe("appEnvironment", () => {
  /** Runs `read` with APP_ENV and NODE_ENV set as given (undefined: unset), then puts them back. */
  function withVariables<T>(variables: { APP_ENV?: string; NODE_ENV?: string }, read: () => T): T {
    const saved = { APP_ENV: process.env.APP_ENV, NODE_ENV: process.env.NODE_ENV };
    for (const name of ["APP_ENV", "NODE_ENV"] as const) {
      if (variables[name] === undefined) delete process.env[name];
      else process.env[name] = variables[name];
    }
    try {
      return read();
    } finally {
      for (const name of ["APP_ENV", "NODE_ENV"] as const) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  }

  test("APP_ENV wins; without it NODE_ENV decides (test is testing); without either, development", () => {
    assert.equal(withVariables({ APP_ENV: "testing", NODE_ENV: "production" }, appEnvironment), "testing");
    assert.equal(withVariables({ NODE_ENV: "production" }, appEnvironment), "production");
    assert.equal(withVariables({ NODE_ENV: " Production\n" }, appEnvironment), "production");
    assert.equal(withVariables({ NODE_ENV: "test" }, appEnvironment), "testing");
    assert.equal(withVariables({ NODE_ENV: "development" }, appEnvironment), "development");
    assert.equal(withVariables({}, appEnvironment), "development");
  });

  test("a NODE_ENV naming no environment, without APP_ENV, stops start-up naming both variables", () => {
    assert.throws(
      () => withVariables({ NODE_ENV: "staging" }, appEnvironment),
      (error: unknown) => error instanceof ConfigurationError && error.code === "E_UNKNOWN_NODE_ENV" && /NODE_ENV is "staging".*set APP_ENV to one of development, production, testing\.$/.test(error.message),
    );
  });

  test("property: a set NODE_ENV is read as environment() reads APP_ENV, its \"test\" aside", () => {
    // An empty variable counts as unset (env()).
    const value = fc.oneof(fc.string({ minLength: 1, maxLength: 14 }), fc.constantFrom(...ENVIRONMENTS, " Test ", "TEST", "tests"));
    fc.assert(
      fc.property(value, (raw) => {
        const expected = raw.trim().toLowerCase() === "test" ? "testing" : (() => { try { return environment(raw); } catch { return "E_UNKNOWN_NODE_ENV"; } })();
        const actual = (() => { try { return withVariables({ NODE_ENV: raw }, appEnvironment); } catch (error) { return (error as ConfigurationError).code; } })();
        assert.equal(actual, expected);
      }),
    );
  });
});

describe("proxyHops (TRUST_PROXY)", () => {
  test("a whole number of proxies, unset or false is none", () => {
    assert.equal(proxyHops(undefined), 0);
    assert.equal(proxyHops(false), 0);
    assert.equal(proxyHops("false"), 0);
    assert.equal(proxyHops("0"), 0);
    assert.equal(proxyHops(" 2 "), 2);
    assert.equal(proxyHops(1), 1);
  });

  test("true, negative, fractional and non-numbers are refused with E_BAD_TRUST_PROXY, saying what to set", () => {
    for (const value of [true, "true", "TRUE", "yes", "-1", "1.5", -1, 1.5, Number.NaN, ""]) {
      assert.throws(
        () => proxyHops(value),
        (error: unknown) => error instanceof ConfigurationError && error.code === "E_BAD_TRUST_PROXY" && /set TRUST_PROXY to the number of reverse proxies .* or 0 when clients reach the app directly\.$/.test(error.message),
        String(value),
      );
    }
  });
});
