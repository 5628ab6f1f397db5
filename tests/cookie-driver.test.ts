import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generateKey } from "masonite/security";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";
import { lab } from "./support/lab-client";

const NAME = "masonite_session";

/** Sends a request with a hand-made Cookie header and reports what the session held. */
async function withCookie(app: TestClient, cookie: string): Promise<{ status: number; all: unknown }> {
  const visitor = app.visitor();
  for (const pair of cookie.split("; ")) {
    const eq = pair.indexOf("=");
    visitor.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const response = await visitor.get("/_lab/all", { headers: { accept: "application/json" } });
  return { status: response.status, all: response.status === 200 ? response.json<{ all: unknown }>().all : response.text };
}

describe("cookie driver", () => {
  let app: TestClient;
  let sealed: string;
  before(async () => {
    app = await startApp({ driver: "cookie" });
    const c = app.visitor();
    await lab(c, { op: "set", key: "secret", value: "mine" });
    sealed = c.jar.get(NAME)!;
  });
  after(() => app.close());

  test("cookies are HttpOnly, SameSite=Lax, Path=/, and not readable as plain text", async () => {
    const c = app.visitor();
    const response = await c.post("/_lab", { ops: [{ op: "set", key: "visible", value: "plain-text-marker" }] }, { json: true });
    const header = response.headers.getSetCookie().find((h) => h.startsWith(`${NAME}=`))!;
    assert.match(header, /; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.doesNotMatch(header, /Secure/);
    assert.ok(!Buffer.from(c.jar.get(NAME)!, "base64url").toString("latin1").includes("plain-text-marker"), "the value is encrypted");
  });

  test("Secure is added when the app URL is https", async () => {
    const secure = await startApp({ driver: "cookie", app: { URL: "https://example.test" } });
    try {
      // Koa itself is plain HTTP here; the flag is for the browser behind the TLS proxy.
      const response = await secure.post("/_lab", { ops: [{ op: "set", key: "a", value: 1 }] }, { json: true });
      const [header = ""] = response.headers.getSetCookie();
      for (const attribute of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) assert.ok(header.split("; ").includes(attribute), `${attribute} in ${header}`);
    } finally {
      await secure.close();
    }
  });

  test("a valid cookie reads back", async () => {
    assert.deepEqual(await withCookie(app, `${NAME}=${sealed}`), { status: 200, all: { secret: "mine" } });
  });

  test("tampered, truncated, garbage and non-base64 cookies give a fresh session, never a 5xx", async () => {
    const bytes = Buffer.from(sealed, "base64url");
    const flipped = Buffer.from(bytes);
    flipped[20] = flipped[20]! ^ 0x01;
    const cases = {
      "bit flipped": flipped.toString("base64url"),
      "truncated": sealed.slice(0, sealed.length - 5),
      "tag cut off": bytes.subarray(0, bytes.length - 16).toString("base64url"),
      "garbage base64url": Buffer.from("hello world, this is not a session at all").toString("base64url"),
      "not base64": "%%%***!!!",
      "empty": "",
      "wrong version byte": Buffer.concat([Buffer.from([9]), bytes.subarray(1)]).toString("base64url"),
      "fake chunk header": `3.${sealed}`,
    };
    for (const [label, value] of Object.entries(cases)) {
      const result = await withCookie(app, `${NAME}=${value}`);
      assert.equal(result.status, 200, label);
      assert.notDeepEqual(result.all, { secret: "mine" }, `${label} must not read the session`);
    }
  });

  test("a cookie sealed under an unknown key is refused; a rotated key still reads old cookies", async () => {
    const oldKey = process.env.APP_KEY!;
    const newKey = generateKey();
    const stranger = await startApp({ driver: "cookie", app: { KEY: newKey } });
    const rotated = await startApp({ driver: "cookie", app: { KEY: newKey, PREVIOUS_KEYS: [oldKey] } });
    try {
      assert.notDeepEqual((await withCookie(stranger, `${NAME}=${sealed}`)).all, { secret: "mine" });
      assert.deepEqual(await withCookie(rotated, `${NAME}=${sealed}`), { status: 200, all: { secret: "mine" } });
      // The next write is sealed under the new key only.
      const c = rotated.visitor();
      c.jar.set(NAME, sealed);
      await lab(c, { op: "set", key: "more", value: 1 });
      assert.deepEqual((await withCookie(stranger, `${NAME}=${c.jar.get(NAME)}`)).all, { secret: "mine", more: 1 });
      assert.notDeepEqual((await withCookie(app, `${NAME}=${c.jar.get(NAME)}`)).all, { secret: "mine", more: 1 }, "the old key alone can no longer read it");
    } finally {
      await stranger.close();
      await rotated.close();
    }
  });

  test("a sealed value cannot be moved to another cookie name", async () => {
    const other = await startApp({ driver: "cookie", cookieName: "other_session" });
    try {
      assert.notDeepEqual((await withCookie(other, `other_session=${sealed}`)).all, { secret: "mine" });
      const c = other.visitor();
      await lab(c, { op: "set", key: "secret", value: "mine" });
      assert.deepEqual((await withCookie(other, `other_session=${c.jar.get("other_session")}`)).all, { secret: "mine" });
    } finally {
      await other.close();
    }
  });

  test("the expiry is sealed inside: an idle cookie replayed after the timeout is refused", async () => {
    const short = await startApp({ driver: "cookie", session: { TIMEOUT: 1 } });
    try {
      const c = short.visitor();
      await lab(c, { op: "set", key: "a", value: 1 });
      const replay = c.jar.get(NAME)!;
      assert.deepEqual((await withCookie(short, `${NAME}=${replay}`)).all, { a: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.notDeepEqual((await withCookie(short, `${NAME}=${replay}`)).all, { a: 1 });
    } finally {
      await short.close();
    }
  });

  test("the absolute lifetime ends a session even while it stays active", async () => {
    // The clock is moved instead of slept on, so a slow request cannot eat the margin.
    const short = await startApp({ driver: "cookie", session: { LIFETIME: 60 } });
    const realNow = Date.now;
    let offset = 0;
    Date.now = () => realNow() + offset;
    try {
      const c = short.visitor();
      await lab(c, { op: "set", key: "a", value: 1 });
      offset = 40_000;
      assert.deepEqual(await lab(c, { op: "increment", key: "n" }, { op: "get", key: "a" }), [1, 1], "alive 40 s in, and active");
      offset = 61_000;
      assert.deepEqual(await lab(c, { op: "get", key: "a" }), [null], "ended 60 s after it began");
    } finally {
      Date.now = realNow;
      await short.close();
    }
  });

  test("sessions over 4 KB are split into chunks under 4096 bytes, read back, and shrink back", async () => {
    const c = app.visitor();
    const big = await c.post("/_lab/big", { bytes: 4000 }, { headers: { accept: "application/json" } });
    big.assertOk();
    const headers = big.headers.getSetCookie();
    assert.equal(headers.length, 2, `expected two chunks, got ${headers.length} cookie(s)`);
    for (const header of headers) assert.ok(header.length < 4096, `a cookie of ${header.length} bytes would be dropped by browsers`);
    assert.ok(c.jar.get(`${NAME}.1`));
    const [value] = (await lab(c, { op: "get", key: "big" })) as [string];
    assert.equal(value.length, 4000);
    const small = await c.post("/_lab/big", { bytes: 10 }, { headers: { accept: "application/json" } });
    small.assertOk();
    assert.ok(small.headers.getSetCookie().some((header) => header.startsWith(`${NAME}.1=;`) && header.includes("; Max-Age=0")), "the left-over chunk is deleted");
    assert.equal(c.jar.get(`${NAME}.1`), undefined);
    assert.equal(((await lab(c, { op: "get", key: "big" })) as [string])[0].length, 10);
  });

  test("a chunk set with a missing chunk gives a fresh session", async () => {
    const c = app.visitor();
    (await c.post("/_lab/big", { bytes: 4000 }, { headers: { accept: "application/json" } })).assertOk();
    c.jar.delete(`${NAME}.1`);
    const [all] = (await lab(c, { op: "all" }).catch(() => [undefined])) as [unknown];
    assert.notEqual((all as { big?: string } | undefined)?.big?.length, 4000);
  });

  test("a session over the size limit fails clearly and writes nothing", async () => {
    const debug = await startApp({ driver: "cookie", app: { DEBUG: true } });
    try {
      const c = debug.visitor();
      await lab(c, { op: "set", key: "kept", value: "yes" });
      const before = c.jar.get(NAME);
      // Under the old limit (16 KB of JSON) this sealed 6.1 KB of cookies; now their 6,144-byte ceiling refuses it.
      const response = await c.post("/_lab/big", { bytes: 4600 }, { headers: { accept: "text/html" } });
      response.assertStatus(500).assertSee("over its store's limit").assertSee("DRIVERS.cookie.maxSize (6144 bytes of cookies)").assertSee("use the redis driver");
      assert.deepEqual(response.headers.getSetCookie(), [], "no cookie was written");
      assert.equal(c.jar.get(NAME), before);
      assert.deepEqual(await lab(c, { op: "all" }), [{ kept: "yes" }]);
    } finally {
      await debug.close();
    }
  });
});
