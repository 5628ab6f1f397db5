import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigurationError, type Environment, Logger } from "masonite/core";
import { generateKey } from "masonite/security";
import { createSessionManager, defineDrivers, type SessionConfig, type SessionRecord, type SessionStore } from "masonite/sessions";
import { parseCookies } from "masonite/request";

const APP = { key: generateKey(), previousKeys: [], appUrl: "http://localhost", root: process.cwd(), environment: "testing" as const, logger: Logger.silent() };

/** The "writing your own store" example of docs/sessions-drivers.md, as it stands there. */
class MapStore implements SessionStore {
  #sessions = new Map<string, { record: string; expiresAt: number }>();

  async read(id: string, ttl: number): Promise<SessionRecord | undefined> {
    const entry = this.#sessions.get(id);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    entry.expiresAt = Date.now() + ttl * 1000;
    return JSON.parse(entry.record) as SessionRecord;
  }

  async write(id: string, record: SessionRecord, ttl: number): Promise<void> {
    this.#sessions.set(id, { record: JSON.stringify(record), expiresAt: Date.now() + ttl * 1000 });
  }

  async destroy(id: string): Promise<void> {
    this.#sessions.delete(id);
  }
}

describe("config/session.ts", () => {
  test("a custom store named in DRIVERS keeps sessions across requests", async () => {
    const sessions = await createSessionManager({ DRIVERS: { default: "map", map: { driver: () => new MapStore() } } }, APP);
    const first = await sessions.start(new Map());
    first.set("cart", ["book"]);
    const [cookie] = await sessions.commit(first, new Map());
    const again = await sessions.start(parseCookies(cookie!.split(";")[0]));
    assert.deepEqual(again.get("cart"), ["book"]);
  });

  test("an unknown driver stops start-up naming the valid ones", async () => {
    await assert.rejects(
      createSessionManager({ DRIVERS: { default: "nonsense" } }, APP),
      (error: unknown) => error instanceof ConfigurationError && error.code === "E_UNKNOWN_SESSION_DRIVER" && /the drivers are cookie, redis, file, memory, database\./.test(error.message),
    );
  });

  test("bad durations and sizes stop start-up naming the setting", async () => {
    const cases: [SessionConfig, RegExp][] = [
      [{ DRIVERS: { default: "cookie" }, TIMEOUT: -1 }, /TIMEOUT must be a positive whole number of seconds/],
      // Redis's EXPIRE takes whole seconds only: a fraction would fail every request on redis.
      [{ DRIVERS: { default: "cookie" }, TIMEOUT: 90.5 }, /TIMEOUT must be a positive whole number of seconds, got 90.5/],
      [{ DRIVERS: { default: "cookie" }, LIFETIME: 0 }, /LIFETIME must be a positive whole number of seconds/],
      [{ DRIVERS: { default: "cookie" }, COOKIE: { sameSite: "none" } }, /sameSite "none" needs COOKIE.secure/],
      [{ DRIVERS: { default: "cookie" }, COOKIE: { name: "my session" } }, /COOKIE.name "my session" is not a valid cookie name/],
      [{ DRIVERS: { default: "cookie", cookie: { maxSize: 20_000 } } }, /DRIVERS.cookie.maxSize of 20000 bytes is over 12288/],
      [{ DRIVERS: { default: "cookie" }, DONT_FLASH: [/pass/, 42 as unknown as string] }, /DONT_FLASH holds 42, which is neither a field name, a RegExp nor a function/],
      [{ DRIVERS: { default: "memory", memory: { maxSize: 1.5 } } }, /DRIVERS\.memory\.maxSize must be a positive whole number of bytes/],
      [{ DRIVERS: { default: "memory", memory: { maxSessions: 0 } } }, /DRIVERS\.memory\.maxSessions must be a positive whole number of sessions, got 0\./],
      [{ DRIVERS: { default: "memory", memory: { maxSessions: 2.5 } } }, /DRIVERS\.memory\.maxSessions must be a positive whole number of sessions, got 2\.5\./],
      // null is a mistake, not "use the default": only a setting left out is.
      [{ DRIVERS: { default: "memory", memory: { maxSessions: null as unknown as number } } }, /DRIVERS\.memory\.maxSessions must be a positive whole number of sessions, got null\./],
      [{ DRIVERS: { default: "file", file: { lockTimeout: Number.POSITIVE_INFINITY } } }, /DRIVERS\.file\.lockTimeout must be a positive number of milliseconds, got null\./],
    ];
    for (const [config, message] of cases) await assert.rejects(createSessionManager(config, APP), message);
  });

  test("a cookie-only app never loads ioredis", async () => {
    await createSessionManager({ DRIVERS: { default: "cookie" } }, APP);
    assert.deepEqual(Object.keys(require.cache).filter((file) => file.includes("/node_modules/ioredis/")), []);
  });

  test("SCHEMA reaches every session: a stored value that no longer fits is dropped when read, with a warning naming the key", async () => {
    const lines: string[] = [];
    const logger = Object.assign(new Logger({ LEVEL: "silent" }), { warn: (line: string) => lines.push(line) });
    // Any object with safeParse() will do; the framework itself never loads zod.
    const isString = { safeParse: (value: unknown) => (typeof value === "string" ? { success: true as const, data: value } : { success: false as const }) };
    const sessions = await createSessionManager({ DRIVERS: { default: "memory" }, SCHEMA: { success: isString } }, { ...APP, logger });
    const first = await sessions.start(new Map());
    first.set("success", 42 as unknown as string);
    const [cookie] = await sessions.commit(first, new Map(), { ageFlash: false });
    const again = await sessions.start(parseCookies(cookie!.split(";")[0]));
    assert.equal(again.get("success"), undefined);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /"success"/);
    assert.deepEqual(Object.keys(require.cache).filter((file) => file.includes("/node_modules/zod/")), []);
  });

  test("a SCHEMA that is not schemas by key stops start-up naming the entry", async () => {
    const cases: [unknown, RegExp][] = [
      [[], /SCHEMA must be an object of zod schemas by session key/],
      [{ cart: "array" }, /SCHEMA\.cart must be a schema with safeParse\(\)/],
      [{ cart: null }, /SCHEMA\.cart must be a schema with safeParse\(\)/],
      [{ __flash: { safeParse: () => ({ success: true }) } }, /SCHEMA\.__flash names a reserved key/],
    ];
    for (const [SCHEMA, message] of cases) {
      await assert.rejects(
        createSessionManager({ DRIVERS: { default: "cookie" }, SCHEMA: SCHEMA as SessionConfig["SCHEMA"] }, APP),
        (error: unknown) => error instanceof ConfigurationError && error.code === "E_BAD_SESSION_CONFIG" && message.test(error.message) && error.message.endsWith("."),
      );
    }
  });

  test("defineDrivers types every block: a misspelt option or a wrong type does not compile", () => {
    const drivers = defineDrivers({
      default: "redis",
      redis: { host: "127.0.0.1", port: 6379, namespace: "app" },
      file: { directory: "storage/framework/sessions" },
    });
    assert.equal(drivers.redis.port, 6379);
    // @ts-expect-error: "hots" is not a redis option
    defineDrivers({ default: "redis", redis: { hots: "127.0.0.1" } });
    // @ts-expect-error: the port is a number
    defineDrivers({ default: "redis", redis: { port: "6379" } });
    // @ts-expect-error: the cookie driver's size is a number of bytes
    defineDrivers({ default: "cookie", cookie: { maxSize: "6kb" } });
  });

  test("timeout in the chosen driver's block is its idle timeout, over TIMEOUT; other blocks' timeouts do not count", async () => {
    assert.equal((await createSessionManager({ DRIVERS: { default: "memory", memory: { timeout: 60 * 60 } }, TIMEOUT: 600 }, APP)).timeout, 3600);
    assert.equal((await createSessionManager({ DRIVERS: { default: "memory", cookie: { timeout: 60 } }, TIMEOUT: 600 }, APP)).timeout, 600);
    assert.equal((await createSessionManager({ DRIVERS: { default: "memory" } }, APP)).timeout, 2 * 60 * 60);
    await assert.rejects(createSessionManager({ DRIVERS: { default: "memory", memory: { timeout: 0.5 } } }, APP), /DRIVERS\.memory\.timeout must be a positive whole number of seconds, got 0\.5\./);
  });

  test("an unknown option in any built-in block, chosen or not, stops start-up with the closest valid one; custom blocks take anything", async () => {
    const drivers = { default: "cookie", cookie: {}, redis: { host: "127.0.0.1", port: 6379, namespce: "x" } };
    await assert.rejects(
      createSessionManager({ DRIVERS: drivers }, APP),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.code === "E_UNKNOWN_SESSION_OPTION" &&
        error.message.startsWith("config/session.ts: DRIVERS.redis.namespce is not an option of the redis driver (did you mean namespace?)") &&
        /the redis driver takes url, host, .*, timeout\.$/.test(error.message),
    );
    // The names other features add to a block are valid options (file locks, the memory cap).
    await createSessionManager({ DRIVERS: { default: "cookie", file: { lockTimeout: 5 }, memory: { maxSessions: 10 } } as never }, APP);
    await createSessionManager({ DRIVERS: { default: "map", map: { driver: () => new MapStore(), shards: 4 } } }, APP);
  });

  test("a DONT_FLASH RegExp with the g flag still leaves out every field it names", async () => {
    const sessions = await createSessionManager({ DRIVERS: { default: "memory" }, DONT_FLASH: [/pass/gi] }, APP);
    const session = await sessions.start(new Map());
    session.flashInput({ password: "a", password_confirmation: "b", new_password: "c", name: "Ada" });
    const [cookie] = await sessions.commit(session, new Map());
    const next = await sessions.start(parseCookies(cookie!.split(";")[0]));
    assert.deepEqual([next.old("password"), next.old("password_confirmation"), next.old("new_password"), next.old("name")], [undefined, undefined, undefined, "Ada"]);
  });

  test("the memory driver warns at start-up in production, and takes maxSessions (a positive whole number); the file driver's lockTimeout is checked like commandTimeout", async () => {
    const lines: string[] = [];
    const logger = Object.assign(new Logger({ LEVEL: "silent" }), { warn: (line: string) => lines.push(line) });
    const memory = (block: Record<string, unknown>, environment: Environment) => createSessionManager({ DRIVERS: { default: "memory", memory: block } }, { ...APP, appUrl: "https://example.com", logger, environment });
    await (await memory({}, "development")).close();
    assert.deepEqual(lines, []);
    await (await memory({ maxSessions: 5 }, "production")).close();
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /memory session driver is in use in production/);
    for (const maxSessions of [0, -1, 1.5, "10"]) {
      await assert.rejects(memory({ maxSessions }, "development"), (error: unknown) => error instanceof ConfigurationError && /DRIVERS\.memory\.maxSessions/.test(error.message) && error.message.endsWith("."));
    }
    await assert.rejects(
      createSessionManager({ DRIVERS: { default: "file", file: { directory: "/nonexistent-never", lockTimeout: -5 } } }, APP),
      (error: unknown) => error instanceof ConfigurationError && /DRIVERS\.file\.lockTimeout/.test(error.message),
    );
  });
});

