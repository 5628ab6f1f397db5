import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { FrameworkError, Logger } from "masonite/core";
import { CookieStore, SessionManager, SessionRegistry, summariseAgent, type SessionRecord, type SessionStore, type WriteOptions } from "masonite/sessions";
import { parseCookies } from "masonite/request";
import { FileStore, MemoryStore } from "masonite/sessions/stores";

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A memory store that records which owners reached write and patch: the index's cost. */
class CountingStore extends MemoryStore {
  owned: string[] = [];
  override write(id: string, record: SessionRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<boolean> {
    if (owner !== undefined) this.owned.push(owner);
    return super.write(id, record, ttl, owner, options);
  }
}

async function fileStore(): Promise<FileStore> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-registry-"));
  folders.push(directory);
  const store = new FileStore({ directory, timeout: 600, key: randomBytes(32), logger: Logger.silent() });
  await store.connect();
  return store;
}

function manager(store: SessionStore, driver?: string): SessionManager {
  return new SessionManager(store, {
    cookieName: "sid",
    driver,
    cookie: { path: "/", httpOnly: true, sameSite: "lax", secure: false },
    timeout: 600,
    lifetime: 3600,
    ownerKey: "user_id",
    logger: Logger.silent(),
    session: {},
  });
}

/** One browser: its cookie jar, and requests that run through the session layer as the middleware does. */
class Device {
  jar = new Map<string, string>();
  constructor(
    readonly sessions: SessionManager,
    readonly ip: string,
    readonly agent: string,
  ) {}

  async request(work: (session: Awaited<ReturnType<SessionManager["start"]>>) => unknown | Promise<unknown> = () => {}) {
    const session = await this.sessions.start(this.jar);
    const result = await work(session);
    for (const header of await this.sessions.commit(session, this.jar, { client: () => ({ ip: this.ip, agent: this.agent }) })) {
      const [name, value] = [...parseCookies(header.split(";")[0]!)][0]!;
      this.jar.set(name, value);
    }
    return { session, result };
  }

  /** What the app does at sign-in, as it does today. */
  signIn(user: string | number) {
    return this.request((session) => {
      session.regenerate();
      session.set("user_id", user);
    });
  }
}

const STORES: [string, () => Promise<SessionStore>][] = [
  ["memory", async () => new MemoryStore()],
  ["file", fileStore],
];

for (const [name, make] of STORES) {
  describe(`SessionRegistry on the ${name} store`, () => {
    test("lists an owner's sessions, newest activity first, with a handle, times, first IP, browser and the current one marked", async () => {
      const sessions = manager(await make());
      const registry = new SessionRegistry(sessions);
      const laptop = new Device(sessions, "10.0.0.1", CHROME_LINUX);
      const phone = new Device(sessions, "10.0.0.2", FIREFOX_WINDOWS);
      const other = new Device(sessions, "10.0.0.3", CHROME_LINUX);
      await laptop.request((session) => session.set("cart", 1)); // an anonymous session first, then sign-in
      const before = Date.now();
      await laptop.signIn(7);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await phone.signIn(7);
      await other.signIn(8);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { result: listed, session: current } = await laptop.request((session) => registry.list(7, session));
      const list = listed as Awaited<ReturnType<SessionRegistry["list"]>>;
      assert.equal(list.length, 2);
      assert.deepEqual(list.map((s) => [s.ip, s.agent, s.current]), [
        ["10.0.0.1", "Chrome on Linux", true],
        ["10.0.0.2", "Firefox on Windows", false],
      ]);
      for (const entry of list) {
        assert.match(entry.handle, /^[A-Za-z0-9_-]{22}$/);
        assert.ok(entry.createdAt.getTime() >= before, "created at sign-in");
        assert.ok(entry.lastSeenAt.getTime() >= entry.createdAt.getTime() - 1000);
      }
      assert.ok(!JSON.stringify(list).includes(current.id), "the session id is nowhere in the listing");
      assert.ok(!JSON.stringify(list).includes(phone.jar.get("sid")!));
      assert.deepEqual(current.all(), { cart: 1, user_id: 7 }, "the recorded client is not app data");
      assert.equal((await registry.list("7")).length, 2, "an owner is the same as a number or a string");
    });

    test("revoke ends one session, which starts fresh and empty on its next request; another owner cannot reach it", async () => {
      const sessions = manager(await make());
      const registry = new SessionRegistry(sessions);
      const laptop = new Device(sessions, "10.0.0.1", CHROME_LINUX);
      const phone = new Device(sessions, "10.0.0.2", CHROME_LINUX);
      const mallory = new Device(sessions, "10.0.0.9", CHROME_LINUX);
      await laptop.signIn("ada");
      await phone.signIn("ada");
      await mallory.signIn("mallory");
      const phoneHandle = (await registry.list("ada")).find((s) => !s.current && s.ip === "10.0.0.2")!.handle;

      assert.equal(await registry.revoke("mallory", phoneHandle), false, "mallory cannot revoke ada's session");
      assert.deepEqual((await mallory.request((s) => registry.list("mallory", s))).result, [
        { ...(await registry.list("mallory"))[0]!, current: true },
      ]);
      assert.equal((await phone.request()).session.get("user_id"), "ada", "ada's phone is untouched");

      assert.equal(await registry.revoke("ada", phoneHandle), true);
      assert.equal(await registry.revoke("ada", phoneHandle), false, "a revoked handle is gone");
      const after = (await phone.request()).session;
      assert.equal(after.isNew, true);
      assert.deepEqual(after.all(), {});
      assert.equal((await laptop.request()).session.get("user_id"), "ada");
      assert.equal((await mallory.request()).session.get("user_id"), "mallory");
      assert.equal((await registry.list("ada")).length, 1);
    });

    test("revokeOthers keeps the current session; revokeAll ends all; sign-out leaves the list", async () => {
      const sessions = manager(await make());
      const registry = new SessionRegistry(sessions);
      const devices = [1, 2, 3].map((n) => new Device(sessions, `10.0.0.${n}`, CHROME_LINUX));
      for (const device of devices) await device.signIn("ada");
      const { result: ended } = await devices[0]!.request((session) => registry.revokeOthers("ada", session));
      assert.equal(ended, 2);
      assert.deepEqual((await registry.list("ada")).map((s) => s.ip), ["10.0.0.1"]);
      assert.equal((await devices[1]!.request()).session.isNew, true);
      assert.equal((await devices[0]!.request()).session.get("user_id"), "ada");

      await devices[2]!.signIn("ada");
      await devices[2]!.request((session) => session.invalidate()); // sign-out
      assert.deepEqual((await registry.list("ada")).map((s) => s.ip), ["10.0.0.1"]);

      assert.equal(await registry.revokeAll("ada"), 1);
      assert.deepEqual(await registry.list("ada"), []);
      assert.equal((await devices[0]!.request()).session.isNew, true);
    });

    test("setting a different owner on the same session moves it; the old owner no longer sees it", async () => {
      const sessions = manager(await make());
      const registry = new SessionRegistry(sessions);
      const device = new Device(sessions, "10.0.0.1", CHROME_LINUX);
      await device.signIn("ada");
      await device.request((session) => session.set("user_id", "bob"));
      assert.deepEqual(await registry.list("ada"), []);
      assert.equal((await registry.list("bob")).length, 1);
      await device.request((session) => session.delete("user_id"));
      assert.deepEqual(await registry.list("bob"), []);
    });
  });
}

test("a session joins its owner's index once, at sign-in, not on every request", async () => {
  const store = new CountingStore();
  const sessions = manager(store);
  const device = new Device(sessions, "10.0.0.1", CHROME_LINUX);
  await device.request((session) => session.set("cart", 1));
  await device.signIn(7);
  for (let n = 0; n < 3; n++) await device.request((session) => session.flash("note", `saved ${n}`));
  await device.request((session) => session.flush().set("user_id", 7)); // rewritten whole, same owner
  assert.deepEqual(store.owned, ["7"]);
  assert.equal((await new SessionRegistry(sessions).list(7))[0]!.ip, "10.0.0.1", "a whole rewrite keeps the first IP");
});

test("on the cookie driver (a store without listOwner) every method throws a coded error naming the driver and the server-side drivers", async () => {
  const registry = new SessionRegistry(manager(new CookieStore({ name: "sid", key: "k".repeat(32), previousKeys: [], maxSize: 4096, logger: Logger.silent() }), "cookie"));
  const session = await manager(new MemoryStore()).start(new Map());
  for (const call of [() => registry.list(1), () => registry.revoke(1, "x"), () => registry.revokeOthers(1, session), () => registry.revokeAll(1)]) {
    await assert.rejects(call, (error: FrameworkError) => {
      assert.equal(error.code, "E_SESSIONS_NOT_LISTABLE");
      assert.match(error.message, /the cookie driver's store keeps no index.*redis, file or memory.*\.$/);
      return true;
    });
  }
});

test("user agents are summarised as browser and system", () => {
  assert.equal(summariseAgent(CHROME_LINUX), "Chrome on Linux");
  assert.equal(summariseAgent(FIREFOX_WINDOWS), "Firefox on Windows");
  assert.equal(summariseAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"), "Safari on iOS");
  assert.equal(summariseAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61"), "Edge on Windows");
  assert.equal(summariseAgent("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36"), "Chrome on Android");
  assert.equal(summariseAgent("curl/8.5.0"), "curl");
  assert.equal(summariseAgent(""), "an unknown browser");
});
