import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_SERVER, serverSettings } from "masonite/foundation";
import * as appConfig from "../../../config/app";

describe("SERVER settings", () => {
  test("defaults: 60 s per request, 20 s for the headers, 5 s of keep-alive, 10,000 connections; config/app.ts says the same", () => {
    assert.deepEqual(serverSettings(), { requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 5_000, maxConnections: 10_000 });
    // config/app.ts (copied into every new app) spells out every default, so that each can be edited in place:
    // the same keys and values, not merely values that fill in to the same settings.
    assert.deepEqual(appConfig.SERVER, DEFAULT_SERVER);
    assert.deepEqual(serverSettings({ requestTimeout: 1_000, headersTimeout: 1_000 }), { ...DEFAULT_SERVER, requestTimeout: 1_000, headersTimeout: 1_000 });
  });

  test("a value that is no whole number from 1, a headersTimeout over requestTimeout, or an unknown key stops start-up with E_BAD_SERVER_SETTING", () => {
    for (const bad of [{ requestTimeout: 0 }, { requestTimeout: -1 }, { keepAliveTimeout: 1.5 }, { maxConnections: Number.NaN }, { headersTimeout: "20s" as unknown as number }, { requestTimeout: 1_000 }, { requestTimout: 1_000 } as never]) {
      assert.throws(() => serverSettings(bad), { code: "E_BAD_SERVER_SETTING" }, JSON.stringify(bad));
    }
  });
});
