import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { inject, planMethod } from "masonite/container";
import { coerceParams } from "masonite/routes";
import { FrameworkError } from "masonite/foundation";

class Typed {
  @inject()
  number(_value: number) {}

  @inject()
  boolean(_value: boolean) {}

  @inject()
  text(_value: string) {}
}

/** The one route parameter of `Typed[method]`, as routing hands it to the method. */
function argumentFor(method: string, raw: string): unknown {
  const plan = planMethod(Typed, method);
  return coerceParams(plan.parameters.map(({ type }, index) => ({ type, index })), [raw], plan.label)[0];
}

function assertNotFound(run: () => unknown): void {
  assert.throws(run, (error: unknown) => error instanceof FrameworkError && error.code === "E_ROUTE_PARAM_TYPE" && error.status === 404 && !error.expose);
}

describe("coerceParams: typed route parameters", () => {
  test("a number parameter takes every integer and plain decimal, written as a URL would have it", () => {
    fc.assert(
      fc.property(fc.integer(), (n) => assert.equal(argumentFor("number", String(n)), n)),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.stringMatching(/^\d{1,12}$/), (whole, fraction) => {
        const raw = `${whole}.${fraction}`;
        assert.equal(argumentFor("number", raw), Number(raw));
      }),
    );
  });

  test("a number parameter refuses with a 404 anything that is not optional minus, digits, optional point and digits", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        fc.pre(!/^-?\d+(\.\d+)?$/.test(raw));
        assertNotFound(() => argumentFor("number", raw));
      }),
    );
    for (const raw of ["", "1e3", "0x1f", "0b1", "Infinity", "-Infinity", "NaN", " 1", "1 ", "+1", "1.", ".5", "1_000", "١٢"]) assertNotFound(() => argumentFor("number", raw));
  });

  test("a boolean parameter takes true, false, 1 and 0 only", () => {
    assert.deepEqual(["true", "1", "false", "0"].map((raw) => argumentFor("boolean", raw)), [true, true, false, false]);
    fc.assert(
      fc.property(fc.string(), (raw) => {
        fc.pre(!["true", "false", "1", "0"].includes(raw));
        assertNotFound(() => argumentFor("boolean", raw));
      }),
    );
  });

  test("a string parameter takes anything as it is", () => {
    fc.assert(fc.property(fc.string(), (raw) => assert.equal(argumentFor("text", raw), raw)));
  });
});
