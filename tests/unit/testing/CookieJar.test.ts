import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CookieJar } from "masonite/testing";

describe("CookieJar, the test client's browser", () => {
  test("keeps what Set-Cookie sets, sends it back as one Cookie header, attributes left out", () => {
    const jar = new CookieJar();
    assert.equal(jar.header(), undefined);
    jar.store(["masonite_session=abc.def; Path=/; HttpOnly; SameSite=Lax", "theme=dark", "no-equals-sign; Path=/"]);
    assert.deepEqual(jar.names(), ["masonite_session", "theme"]);
    assert.equal(jar.get("masonite_session"), "abc.def");
    assert.equal(jar.header(), "masonite_session=abc.def; theme=dark");
    jar.store(["theme=light; Path=/"]);
    assert.equal(jar.get("theme"), "light", "a later Set-Cookie replaces the value");
  });

  test("Max-Age=0 (or negative) and an Expires in the past delete the cookie, as a browser does", () => {
    const jar = new CookieJar();
    jar.store(["a=1", "b=2", "c=3", "d=4"]);
    jar.store(["a=; Max-Age=0; Path=/", "b=; max-age=-1", "c=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/", `d=5; Expires=${new Date(Date.now() + 3_600_000).toUTCString()}`]);
    assert.deepEqual(jar.names(), ["d"]);
    assert.equal(jar.get("d"), "5", "an Expires in the future keeps it");
  });
});
