import "./support/env";
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import Redis from "ioredis";
import { Logger } from "masonite/core";
import { CLIENT_KEY } from "masonite/sessions";
import { RedisStore } from "masonite/sessions/stores";
import { RedisServer } from "./support/redis";

/** A RedisStore on a redis-server of the test's own, and a plain client to look inside it; undefined when the test was skipped. */
async function connectedStore(t: TestContext, namespace: string): Promise<{ store: RedisStore; inspector: Redis } | undefined> {
  const server = await RedisServer.startLocalOrSkip(t);
  if (!server) return undefined;
  t.after(() => server.destroy());
  const store = new RedisStore({ url: server.url, host: "127.0.0.1", port: server.port, options: {}, namespace, commandTimeout: 5_000, logger: Logger.silent() });
  await store.connect();
  t.after(() => store.close());
  const inspector = new Redis(server.port, "127.0.0.1");
  t.after(() => inspector.disconnect());
  return { store, inspector };
}

/**
 * The redis store against a real redis-server, through the contract alone: a patch of a session
 * that ended (signed out, revoked, expired) writes nothing, neither the hash nor its owner's
 * index entry, and answers false, as the file and memory stores do.
 */
test("a patch of a destroyed session recreates neither its hash nor its owner index entry, and answers false", { timeout: 60_000 }, async (t) => {
  const started = await connectedStore(t, "patchtest");
  if (!started) return;
  const { store, inspector } = started;

  const id = "P".repeat(43);
  const bump = { set: new Map([["seen", true]]), deleted: new Set<string>(), increments: new Map([["n", 1]]) };
  await store.write(id, { data: { user_id: "ada", n: 1 }, createdAt: 1 }, 60, "ada");
  assert.equal(await store.patch(id, bump, 60, "ada"), true, "a live session is patched");
  assert.deepEqual({ ...(await store.read(id, 60))?.data }, { user_id: "ada", n: 2, seen: true });

  await store.destroy(id, "ada");
  assert.equal(await store.patch(id, bump, 60, "ada"), false, "an ended session is not patched");
  assert.equal(await inspector.exists(store.key(id)), 0, "no hash was recreated");
  assert.deepEqual(await inspector.zrange(store.ownerKey("ada"), 0, -1), [], "the dead id did not join the owner's index");
  assert.equal(await store.read(id, 60), undefined);
});

test("a read leaves the client metadata in Redis, and a rewrite on the same id keeps it unless it brings its own", { timeout: 60_000 }, async (t) => {
  const started = await connectedStore(t, "clienttest");
  if (!started) return;
  const { store, inspector } = started;

  const id = "C".repeat(43);
  const client = { ip: "10.0.0.1", agent: "Firefox on Linux" };
  await store.write(id, { data: { user_id: "ada", [CLIENT_KEY]: client }, createdAt: 5 }, 60, "ada");
  const read = await store.read(id, 60);
  assert.deepEqual({ ...read, data: { ...read?.data } }, { id, data: { user_id: "ada" }, createdAt: 5 }, "the read answers the id it was read under, without the client");

  await store.write(id, { data: { user_id: "ada", cart: 1 }, createdAt: 5 }, 60, undefined, { existing: true });
  assert.deepEqual(JSON.parse((await inspector.hget(store.key(id), CLIENT_KEY))!), client, "a rewrite in place keeps the client that created the id");
  assert.deepEqual({ ...(await store.read(id, 60))?.data }, { user_id: "ada", cart: 1 });
  const [listed] = await store.listOwner("ada", 60, () => true);
  assert.deepEqual(listed?.data[CLIENT_KEY], client, "the listing shows it");

  const other = { ip: "10.0.0.2", agent: "Chrome on Linux" };
  await store.write(id, { data: { user_id: "ada", [CLIENT_KEY]: other }, createdAt: 5 }, 60, undefined, { existing: true });
  assert.deepEqual(JSON.parse((await inspector.hget(store.key(id), CLIENT_KEY))!), other, "a rewrite that brings a client replaces it");

  await store.write(id, { data: { user_id: "ada" }, createdAt: 6 }, 60);
  assert.equal(await inspector.hget(store.key(id), CLIENT_KEY), null, "a fresh write (no existing session to keep) stores only what it is given");

  // Fields are data only: none inherits a name, and none, "__proto__" included, changes the record's prototype.
  const plain = (await store.read(id, 60))!.data;
  assert.equal(plain.constructor, undefined);
  assert.equal(plain.toString, undefined);
  assert.equal("hasOwnProperty" in plain, false);
  const named = { constructor: 1, toString: "x", ["__proto__"]: { polluted: true } };
  await store.write(id, { data: named, createdAt: 6 }, 60);
  const data = (await store.read(id, 60))!.data;
  assert.deepEqual([data.constructor, data.toString, Object.hasOwn(data, "__proto__"), (data as { polluted?: boolean }).polluted], [1, "x", true, undefined]);
});
