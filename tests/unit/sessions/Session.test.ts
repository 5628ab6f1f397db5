import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, mock, test } from "node:test";
import { FLASH_KEY, OLD_INPUT_KEY, Session, TOKEN_KEY, type LoadedSession, type SessionChanges, type StoredData } from "masonite/sessions";
import { FrameworkError, type Logger } from "masonite/foundation";
import { Logger as CoreLogger } from "masonite/core";

const ID = "A".repeat(43);

function loaded(data: StoredData, createdAt = Date.now()): LoadedSession {
  return { id: ID, data, createdAt };
}

/** What a store that keeps the whole snapshot (the cookie driver) hands the next request. */
function next(changes: SessionChanges): LoadedSession {
  return { id: changes.id, data: JSON.parse(changes.snapshotJson()) as StoredData, createdAt: changes.createdAt };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (line: string) => lines.push(line), info() {}, warn() {}, error() {} } as unknown as Logger & { lines: string[] };
}

describe("Session: reserved keys", () => {
  test("every key starting with __ is refused by each writing method, with the same TypeError", () => {
    const session = new Session(undefined);
    for (const key of [TOKEN_KEY, FLASH_KEY, OLD_INPUT_KEY, "__anything"]) {
      assert.throws(() => session.set(key, "x"), TypeError);
      assert.throws(() => session.flash(key, "x"), TypeError);
      assert.throws(() => session.delete(key), TypeError);
      assert.throws(() => session.increment(key), TypeError);
      assert.equal(session.get(key), undefined);
      assert.equal(session.has(key), false);
    }
  });

  test("_token and _flash are ordinary keys now: writing them leaves the CSRF token and flash data alone", () => {
    const session = new Session(undefined);
    const token = session.token();
    session.flash("notice", "hi");
    session.set("_token", "mine").set("_flash", ["x"]);
    assert.equal(session.token(), token);
    assert.equal(session.get("_token"), "mine");
    assert.deepEqual(session.get("_flash"), ["x"]);
    const after = new Session(next(session.changes()));
    assert.equal(after.token(), token);
    assert.equal(after.get("notice"), "hi");
    assert.deepEqual(after.all(), { _token: "mine", _flash: ["x"], notice: "hi" });
  });

  test("a store's own reserved keys load; unknown __ keys are ignored", () => {
    const session = new Session(loaded({ [TOKEN_KEY]: "t".repeat(43), __planted: "x", kept: 1 }));
    assert.equal(session.token(), "t".repeat(43));
    assert.deepEqual(session.all(), { kept: 1 });
    assert.equal("__planted" in JSON.parse(session.changes().snapshotJson()), false);
  });
});

describe("Session: null and fallbacks", () => {
  test("a stored null is a value: has() is true and get() returns null, not the fallback", () => {
    const session = new Session(loaded({ nothing: null }));
    assert.equal(session.has("nothing"), true);
    assert.equal(session.get("nothing", "fallback"), null);
    assert.equal(session.has("missing"), false);
    assert.equal(session.get("missing", "fallback"), "fallback");
  });

  test("old() gives the fallback for a field that is missing or null: a form cannot redisplay null", () => {
    const session = new Session(loaded({ [OLD_INPUT_KEY]: { name: "Ada", nickname: null, age: 0 }, [FLASH_KEY]: [OLD_INPUT_KEY] }));
    assert.equal(session.old("name", ""), "Ada");
    assert.equal(session.old("nickname", "none"), "none");
    assert.equal(session.old("age", 5), 0);
    assert.equal(session.old("missing", "none"), "none");
    assert.equal(session.old("constructor", "none"), "none");
  });
});

describe("Session: old input", () => {
  test("flashInput leaves out every field the dontFlash matcher names, at any depth, and lives one more request", () => {
    const session = new Session(undefined, { dontFlash: (name) => name === "pin" });
    session.flashInput({ name: "Ada", pin: "1234", card: { pin: "1", label: "x" }, list: [{ pin: "2" }] });
    const second = new Session(next(session.changes()));
    assert.equal(second.old("name"), "Ada");
    assert.equal(second.old("pin", "none"), "none");
    assert.deepEqual(second.old("card"), { label: "x" });
    assert.deepEqual(second.old("list"), [{}]);
    const third = new Session(next(second.changes()));
    assert.equal(third.old("name", "gone"), "gone");
  });

  test("by default flashInput leaves out exactly the fields the log redacts: one rule for secret names", () => {
    const names = ["password", "passwd", "passphrase", "__token", "api_token", "tokenExpiry", "apiKey", "X-Api-Key", "APP_KEY", "PREVIOUS_KEYS", "privateKey", "key", "authorization", "cookie", "credentials", "client_secret", "cc", "cvv", "card_number", "otp", "ssn", "name", "email", "keyboard", "monkey", "cc_email", "pass", "bio"];
    const lines: string[] = [];
    new CoreLogger({}, { write: (line: string) => void lines.push(line) }).info("input", { input: Object.fromEntries(names.map((name) => [name, "v"])) });
    const logged = (JSON.parse(lines[0]!) as { input: Record<string, string> }).input;
    const session = new Session(undefined);
    session.flashInput(Object.fromEntries(names.map((name) => [name, "v"])));
    const second = new Session(next(session.changes()));
    for (const name of names) assert.equal(second.old(name, "[Redacted]"), logged[name], name);
    for (const name of ["APP_KEY", "authorization", "credentials", "apiKey", "password", "cvv"]) assert.equal(second.old(name, "none"), "none", name);
    for (const name of ["name", "keyboard", "cc_email"]) assert.equal(second.old(name), "v", name);
  });

  test("old input that would outgrow the store's limit loses its largest fields, and a debug line names them", () => {
    const logger = recordingLogger();
    const session = new Session(undefined, { sizeLimit: { bytes: 2_000, advice: "" }, logger });
    session.set("user", "kept");
    session.flashInput({ name: "Ada", bio: "b".repeat(5_000), notes: "n".repeat(1_500), email: "a@b.co" });
    const changes = session.changes();
    assert.ok(Buffer.byteLength(changes.snapshotJson()) <= 2_000);
    const after = new Session(next(changes));
    assert.equal(after.get("user"), "kept");
    assert.deepEqual([after.old("name"), after.old("email"), after.old("notes", "gone"), after.old("bio", "gone")], ["Ada", "a@b.co", "n".repeat(1_500), "gone"]);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0]!, /\["bio"\]/);
  });

  test("past the limit with no old input to trim, the commit is refused with the store's advice", () => {
    const session = new Session(undefined, { sizeLimit: { bytes: 1_000, advice: "Use a bigger store." } });
    session.set("big", "x".repeat(2_000));
    assert.throws(() => session.changes(), (error: unknown) => error instanceof FrameworkError && error.code === "E_SESSION_TOO_LARGE" && /Use a bigger store\./.test(error.message));
  });

  test("a session within its limit is not re-measured by increments", () => {
    const session = new Session(loaded({ n: 1, big: "x".repeat(2_000) }), { sizeLimit: { bytes: 1_000, advice: "" } });
    session.increment("n");
    assert.equal(session.changes().increments.get("n"), 1);
  });
});

describe("Session: lifetime", () => {
  test("regenerate() and invalidate() restart the absolute lifetime with the new id", () => {
    const old = Date.now() - 60_000;
    for (const method of ["regenerate", "invalidate"] as const) {
      const session = new Session(loaded({ a: 1 }, old));
      session[method]();
      const changes = session.changes();
      assert.notEqual(changes.id, ID);
      assert.ok(changes.createdAt >= Date.now() - 1_000, `${method} kept the old creation time`);
    }
    assert.equal(new Session(loaded({ a: 1 }, old)).changes().createdAt, old);
  });
});

describe("Session: the id of a fresh session", () => {
  // A first visit that stores nothing (most of a site's anonymous traffic) must not pay for an
  // id from the OS CSPRNG: it is drawn when something needs it, once, and then kept.
  test("is drawn from the CSPRNG only when asked for, and then stays the same", () => {
    const draws = mock.method(crypto, "randomBytes");
    try {
      const session = new Session(undefined);
      const changes = session.changes();
      assert.equal(changes.clean, true);
      assert.equal(draws.mock.callCount(), 0, "a fresh session that stores nothing drew an id");
      const id = session.id;
      assert.match(id, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(changes.id, id);
      assert.equal(session.id, id);
      assert.equal(draws.mock.callCount(), 1);
    } finally {
      draws.mock.restore();
    }
  });

  test("a fresh session that stores nothing is not serialised to be measured against the size limit", () => {
    // A limit no session could meet: only a session that is measured is refused.
    const sizeLimit = { bytes: 1, advice: "Store less." };
    assert.equal(new Session(undefined, { sizeLimit }).changes().clean, true);
    const stored = new Session(undefined, { sizeLimit });
    stored.set("a", 1);
    assert.throws(() => stored.changes(), (error: FrameworkError) => error.code === "E_SESSION_TOO_LARGE");
  });

  test("a fresh session that stores something gets an id in its changes, and regenerate() still gives a new one", () => {
    const session = new Session(undefined);
    session.set("a", 1);
    const first = session.changes().id;
    assert.match(first, /^[A-Za-z0-9_-]{43}$/);
    session.regenerate();
    assert.notEqual(session.changes().id, first);
  });
});
