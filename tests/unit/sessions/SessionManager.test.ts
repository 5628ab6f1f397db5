import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { Logger } from "masonite/core";
import { generateKey } from "masonite/security";
import { CLIENT_KEY, CookieStore, SessionManager, type SessionRecord, type SessionStore } from "masonite/sessions";
import { parseCookies } from "masonite/request";
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

  test("a server-side store's write that answers a string (ioredis's \"OK\") is a coded error naming the fix, never the cookie's token", async () => {
    class SaysOk extends MemoryStore {
      override async write(...args: Parameters<MemoryStore["write"]>): Promise<boolean> {
        await super.write(...args);
        return "OK" as unknown as boolean;
      }
    }
    const sessions = manager(new SaysOk());
    const session = await sessions.start(new Map());
    session.set("a", 1);
    await assert.rejects(async () => sessions.commit(session, new Map()), (error: Error & { code?: string }) => {
      assert.equal(error.code, "E_SESSION_STORE_TOKEN");
      assert.match(error.message, /clientSide/);
      return true;
    });
  });

  test("a server-side store's session keeps the id its cookie carries, whatever id field the stored record has", async () => {
    const row = "D".repeat(43);
    class RowStore extends MemoryStore {
      override async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
        const record = await super.read(id, ttl);
        return record && ({ ...record, id: "a hash of the id" } as SessionRecord);
      }
    }
    const store = new RowStore();
    await store.write(row, { data: { a: 1 }, createdAt: Date.now() }, 600);
    const sessions = manager(store);
    const session = await sessions.start(new Map([["sid", row]]));
    assert.equal(session.id, row);
    session.set("a", 2);
    assert.deepEqual(await sessions.commit(session, new Map([["sid", row]])), []);
    assert.equal((await store.read(row, 600))?.data.a, 2, "the change is stored under the cookie's id");
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

describe("SessionManager with the cookie store", () => {
  const cookieStore = (maxSize = 6 * 1024) => new CookieStore({ name: "sid", key: generateKey(), previousKeys: [], maxSize, logger: Logger.silent() });

  test("the cookie carries the sealed session; regenerate keeps the data under a fresh id sealed in a fresh token; no client is recorded", async () => {
    const sessions = manager(cookieStore());
    const first = await sessions.start(new Map());
    first.set("user", "ada");
    const jar = browser(await sessions.commit(first, new Map(), { client: () => ({ ip: "10.0.0.1", agent: "curl/8" }) }));
    assert.notEqual(jar.get("sid"), first.id, "the token is the seal, not the id");
    const next = await sessions.start(jar);
    assert.equal(next.id, first.id, "the id sealed inside is the session's id");
    assert.equal(next.get("user"), "ada");
    assert.equal((await sessions.load(jar))!.data[CLIENT_KEY], undefined, "a store that cannot list owners gets no client metadata");
    next.regenerate();
    const after = browser(await sessions.commit(next, jar), jar);
    const regenerated = await sessions.start(after);
    assert.notEqual(regenerated.id, first.id);
    assert.equal(regenerated.get("user"), "ada");
  });

  test("a request that changes nothing rewrites the cookie only once its sealed expiry would slide by more than a minute", async () => {
    const store = cookieStore();
    const sessions = manager(store);
    const first = await sessions.start(new Map());
    first.set("a", 1);
    const jar = browser(await sessions.commit(first, new Map()));
    assert.deepEqual(await sessions.commit(await sessions.start(jar), jar), [], "a fresh seal is not rewritten");
    // A seal made 2 minutes ago (its expiry 2 minutes short of now + timeout) is slid.
    const stale = new Map([["sid", store.write(first.id, { data: { a: 1 }, createdAt: Date.now() }, 600 - 120)]]);
    const [header, ...more] = await sessions.commit(await sessions.start(stale), stale);
    assert.deepEqual(more, []);
    const slid = (await sessions.load(browser([header!])))!;
    assert.ok(slid.expiresAt! > Date.now() + 590_000, "the new seal expires a full timeout from now");
    assert.equal(slid.data.a, 1);
  });

  test("a token longer than one cookie is split into chunks and read back; chunks a shorter one no longer needs are deleted", async () => {
    const sessions = manager(cookieStore(12 * 1024));
    const big = await sessions.start(new Map());
    big.set("text", "x".repeat(4_000));
    const chunked = await sessions.commit(big, new Map());
    assert.deepEqual(chunked.map((header) => header.split("=")[0]), ["sid", "sid.1"]);
    let jar = browser(chunked);
    for (const value of jar.values()) assert.ok(value.length < 4000);
    const again = await sessions.start(jar);
    assert.equal(again.get("text"), "x".repeat(4_000));
    again.set("text", "short");
    const headers = await sessions.commit(again, jar);
    assert.ok(headers.some((header) => header.startsWith("sid.1=;") && /Max-Age=0/.test(header)), headers.join("\n"));
    jar = browser(headers, jar);
    assert.deepEqual([...jar.keys()], ["sid"]);
    assert.equal((await sessions.start(jar)).get("text"), "short");
    const missing = new Map(browser(chunked));
    missing.delete("sid.1");
    assert.equal((await sessions.start(missing)).get("text"), undefined, "a chunk gone missing is no session");
  });
});
