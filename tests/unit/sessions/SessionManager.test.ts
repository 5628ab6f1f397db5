import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { Logger } from "masonite/core";
import { parseCookies, SessionManager, type SessionRecord, type SessionStore } from "masonite/sessions";
import { FileStore, MemoryStore } from "masonite/sessions/stores";

/** A memory store that records which ids reached it. */
class RecordingStore extends MemoryStore {
  reads: string[] = [];
  destroyed: string[] = [];
  override read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    this.reads.push(id);
    return super.read(id, ttl);
  }
  override destroy(id: string, owner?: string): Promise<boolean> {
    this.destroyed.push(id);
    return super.destroy(id, owner);
  }
}

async function fileStore(): Promise<FileStore> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-manager-"));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const store = new FileStore({ directory, timeout: 600, key: randomBytes(32), logger: Logger.silent() });
  await store.connect();
  return store;
}

function manager(store: SessionStore, lifetime: number | undefined = 3600): SessionManager {
  return new SessionManager(store, {
    cookieName: "sid",
    cookie: { path: "/", httpOnly: true, sameSite: "lax", secure: false },
    timeout: 600,
    lifetime,
    ownerKey: "user_id",
    logger: Logger.silent(),
    session: {},
  });
}

/** The cookies a browser holds after these Set-Cookie values. */
function browser(setCookies: string[], before = new Map<string, string>()): Map<string, string> {
  const jar = new Map(before);
  for (const header of setCookies) {
    const [name, value] = [...parseCookies(header.split(";")[0])][0]!;
    if (/Max-Age=0/.test(header)) jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

describe("SessionManager with a server-side store", () => {
  test("a fresh session that stores nothing sets no cookie; one that stores sets the id cookie with its flags", async () => {
    const sessions = manager(new MemoryStore());
    const empty = await sessions.start(new Map());
    assert.deepEqual(await sessions.commit(empty, new Map()), []);
    const used = await sessions.start(new Map());
    used.set("a", 1);
    const [header, ...more] = await sessions.commit(used, new Map());
    assert.deepEqual(more, []);
    assert.match(header!, new RegExp(`^sid=${used.id}; `));
    for (const flag of ["Path=/", "HttpOnly", "SameSite=Lax"]) assert.ok(header!.split("; ").includes(flag), flag);
    const next = await sessions.start(browser([header!]));
    assert.equal(next.get("a"), 1);
  });

  test("a malformed id never reaches the store; an unknown one is not adopted", async () => {
    const store = new RecordingStore();
    const sessions = manager(store);
    const malformed = await sessions.start(new Map([["sid", "../../etc/passwd"]]));
    assert.deepEqual(store.reads, []);
    assert.notEqual(malformed.id, "../../etc/passwd");
    const unknown = "B".repeat(43);
    const fresh = await sessions.start(new Map([["sid", unknown]]));
    assert.deepEqual(store.reads, [unknown]);
    assert.notEqual(fresh.id, unknown);
  });

  test("regenerate and invalidate destroy the old id after writing the new one", async () => {
    const store = new RecordingStore();
    const sessions = manager(store);
    const first = await sessions.start(new Map());
    first.set("user", "ada");
    let jar = browser(await sessions.commit(first, new Map()));
    for (const method of ["regenerate", "invalidate"] as const) {
      const session = await sessions.start(jar);
      const oldId = session.id;
      session[method]();
      session.set("touched", true);
      jar = browser(await sessions.commit(session, jar), jar);
      assert.equal(store.destroyed.at(-1), oldId);
      assert.equal(await store.read(oldId, 600), undefined, `${method}: the old id is worth nothing`);
      assert.equal(jar.get("sid"), session.id);
    }
    assert.equal((await sessions.start(jar)).get("user"), undefined, "invalidate dropped the data");
  });

  test("a session past its absolute lifetime is destroyed and replaced by a fresh one", async () => {
    const store = new RecordingStore();
    const sessions = manager(store, 60);
    const old = "C".repeat(43);
    await store.write(old, { data: { a: 1 }, createdAt: Date.now() - 61_000 }, 600);
    const session = await sessions.start(new Map([["sid", old]]));
    assert.notEqual(session.id, old);
    assert.equal(session.get("a"), undefined);
    assert.deepEqual(store.destroyed, [old]);
  });

  for (const [name, make] of [["memory", () => new MemoryStore()], ["file", fileStore]] as const) test(`${name} store: a request that loaded a session destroyed meanwhile (revoked) never brings it back: not by a patch, a flush, regenerate or invalidate`, async () => {
    const store = await make();
    const sessions = manager(store);
    const seed = await sessions.start(new Map());
    seed.set("user_id", "ada");
    const jar = browser(await sessions.commit(seed, new Map()));
    const id = seed.id;
    const changes: [string, (session: Awaited<ReturnType<SessionManager["start"]>>) => void][] = [
      ["patch", (session) => session.increment("n")],
      ["flush", (session) => {
        session.flush();
        session.set("user_id", "ada");
      }],
      ["regenerate", (session) => session.regenerate()],
      ["invalidate", (session) => session.invalidate()],
    ];
    for (const [what, change] of changes) {
      await store.write(id, { data: { user_id: "ada" }, createdAt: Date.now() }, 600, "ada");
      const inFlight = await sessions.start(jar);
      assert.equal(inFlight.get("user_id"), "ada", what);
      assert.equal(await store.destroy(id, "ada"), true, "the revoke ended it");
      change(inFlight);
      const cookies = await sessions.commit(inFlight, jar);
      assert.deepEqual(cookies, [], `${what}: no new id for a revoked session`);
      assert.equal(await store.read(id, 600), undefined, `${what}: the revoked session stays ended`);
      if (inFlight.id !== id) assert.equal(await store.read(inFlight.id, 600), undefined, `${what}: no successor under a new id`);
      assert.deepEqual(await store.listOwner("ada", 600, () => true), [], `${what}: nothing left in the owner's index`);
      assert.equal(await store.destroy(id, "ada"), false, "a second revoke finds nothing");
    }
    await store.close();
  });
});
