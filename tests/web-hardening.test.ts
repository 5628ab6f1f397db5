import "./support/env";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Application, ConfigurationError } from "masonite/foundation";
import { type TestAppOptions, testKernel } from "./support/app";

/** Boots the test app with these settings and hands back the start-up error it must raise. */
async function bootError(app: TestAppOptions["app"]): Promise<ConfigurationError> {
  try {
    const application = await Application.create(testKernel({ app }));
    await application.close();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `a ConfigurationError, not ${String(error)}`);
    return error;
  }
  assert.fail(`the app booted with ${JSON.stringify(app)}`);
}

describe("APP_ENV is read case-insensitively and checked", () => {
  for (const ENV of ["Production", "PRODUCTION", " production", "production\n"]) {
    test(`APP_ENV=${JSON.stringify(ENV)} with APP_DEBUG=true does not start`, async () => {
      const error = await bootError({ ENV, DEBUG: true });
      assert.equal(error.code, "E_DEBUG_IN_PRODUCTION");
    });
  }

  test("an APP_ENV that is none of the known values stops start-up, naming them", async () => {
    for (const ENV of ["staging", "prod", ""]) {
      const error = await bootError({ ENV, DEBUG: false });
      assert.equal(error.code, "E_UNKNOWN_APP_ENV");
      assert.match(error.message, /one of development, production, testing\.$/);
    }
  });
});
