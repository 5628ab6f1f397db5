import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConfigurationError, FrameworkError, Logger } from "masonite/core";
import { generateKey } from "masonite/security";
import { CookieStore, Session, SessionManager } from "masonite/sessions";
import { parseCookies } from "masonite/request";

const KEY = generateKey();
const NO_COOKIES = new Map<string, string>();

function driver(maxSize: number, name = "masonite_session"): CookieStore {
  return new CookieStore({ name, key: KEY, previousKeys: [], maxSize, logger: Logger.silent() });
}

/** The session layer over `store`, which owns the cookie and splits a long token into chunks. */
function manager(store: CookieStore, name: string): SessionManager {
  return new SessionManager(store, { cookieName: name, cookie: { path: "/", httpOnly: true, sameSite: "lax", secure: false }, timeout: 3600, lifetime: undefined, ownerKey: "user_id", logger: Logger.silent(), session: {} });
}

/** Saves a fresh session holding `value` (or that many x's) through the session layer: the Cookie header a browser would send back, or the error. */
async function commit(store: CookieStore, value: number | string, name = "masonite_session"): Promise<string | Error> {
  // No size limit on the Session: the store's own check in write() is what is tested.
  const session = new Session(undefined);
  session.set("v", typeof value === "number" ? "x".repeat(value) : value);
  try {
    const headers = await manager(store, name).commit(session, NO_COOKIES);
    return headers.filter((header) => !/Max-Age=0/.test(header)).map((header) => header.split(";")[0]).join("; ");
  } catch (error) {
    return error as Error;
  }
}

describe("CookieStore sizing", () => {
  test("the default 6 KB of cookies holds about 4.4 KB of session data", () => {
    const { bytes } = driver(6 * 1024).sizeLimit;
    assert.ok(bytes > 4_300 && bytes < 4_600, `${bytes}`);
  });

  test("a session of exactly sizeLimit.bytes fits; one byte more is refused", async () => {
    for (const maxSize of [1_000, 3_900, 6 * 1024, 12_000]) {
      const d = driver(maxSize);
      // The data is {"v":"xxx..."}: 8 bytes around the string.
      const fits = await commit(d, d.sizeLimit.bytes - 8);
      assert.equal(typeof fits, "string", `maxSize ${maxSize}: ${fits}`);
      assert.ok((fits as string).length <= maxSize, `maxSize ${maxSize}: ${(fits as string).length} bytes of cookies`);
      const over = await commit(d, d.sizeLimit.bytes - 7);
      assert.ok(over instanceof FrameworkError && over.code === "E_SESSION_TOO_LARGE", `maxSize ${maxSize}: ${String(over)}`);
    }
  });

  test("whatever the data and the limit, the cookies sent back never exceed maxSize, and every chunk stays under 4096 bytes", async () => {
    // Characters whose JSON takes more than one byte each: multi-byte UTF-8, quotes and backslashes, control characters.
    const tricky = fc.constantFrom("x", "é", "€", "😀", '"', "\\", "\n", "\u0000", "\u001f", "\u2028");
    const text = fc.oneof(fc.string({ unit: tricky, maxLength: 5_000, size: "max" }), fc.string({ unit: "binary", maxLength: 3_000, size: "max" }), fc.integer({ min: 0, max: 16_000 }).map((n) => "x".repeat(n)));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 600, max: 12 * 1024 }), text, fc.constantFrom("s", "masonite_session"), async (maxSize, value, name) => {
        const d = driver(maxSize, name);
        const result = await commit(d, value, name);
        // The data is {"v":...}: the driver refuses exactly what the Session's budget (bytes of JSON) would.
        const bytes = new TextEncoder().encode(JSON.stringify({ v: value })).length; // counted apart from the driver's own Buffer.byteLength
        assert.equal(result instanceof Error, bytes > d.sizeLimit.bytes, `${bytes} bytes of JSON against a ${d.sizeLimit.bytes}-byte budget: ${String(result).slice(0, 200)}`);
        if (result instanceof Error) {
          assert.ok(result instanceof FrameworkError && result.code === "E_SESSION_TOO_LARGE", String(result));
        } else {
          assert.ok(result.length <= maxSize, `${result.length} bytes of cookies over ${maxSize}`);
          for (const pair of result.split("; ")) assert.ok(pair.length < 4096);
          // It reads back.
          const loaded = await manager(d, name).start(parseCookies(result));
          assert.equal(loaded.get("v"), value);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("a maxSize too small for any session stops start-up with the smallest useful value", () => {
    assert.throws(() => driver(100), (error: unknown) => error instanceof ConfigurationError && /DRIVERS\.cookie\.maxSize of 100 bytes/.test(error.message));
  });
});
