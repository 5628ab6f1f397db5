import "./support/env";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigurationError } from "masonite/core";
import { startApp } from "./support/app";
import { lab } from "./support/lab-client";
import { RedisServer } from "./support/redis";

/**
 * The seed's config/session.py works as written: `timeout` in a driver block is that driver's
 * idle timeout, and an option no driver takes stops start-up instead of being ignored.
 */
describe("config/session.ts as the seed writes it", () => {
  test("timeout in the redis block is the idle TTL of redis sessions, over TIMEOUT", { timeout: 60_000 }, async (t) => {
    const server = await RedisServer.startOrSkip(t);
    if (!server) return;
    const app = await startApp({ driver: "redis", redisUrl: server.url, driverConfig: { timeout: 60 }, session: { TIMEOUT: 7200 } });
    const redis = server.client();
    t.after(async () => {
      redis.disconnect();
      await app.close();
      await server.stop();
    });
    await lab(app, { op: "set", key: "cart", value: [1] });
    const ttl = await redis.ttl(`masonite4-test:session:${app.jar.get("masonite_session")}`);
    assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}: DRIVERS.redis.timeout is 60 seconds`);
  });

  test("an unknown option beside valid ones, in any driver block, stops start-up naming the block, the option and the closest valid one", async () => {
    const cases: [Parameters<typeof startApp>[0], RegExp][] = [
      [{ driver: "redis", driverConfig: { namespce: "x" } }, /^config\/session\.ts: DRIVERS\.redis\.namespce is not an option of the redis driver \(did you mean namespace\?\)/],
      [{ driver: "file", driverConfig: { directry: "/tmp/x" } }, /DRIVERS\.file\.directry .*did you mean directory\?/],
      [{ driver: "memory", driverConfig: { timout: 60 } }, /DRIVERS\.memory\.timout .*did you mean timeout\?/],
      [{ driver: "cookie", driverConfig: { maxsize: 4096 } }, /DRIVERS\.cookie\.maxsize .*did you mean maxSize\?/],
      [{ driver: "database", driverConfig: { statementTimout: 500 } }, /DRIVERS\.database\.statementTimout .*did you mean statementTimeout\?/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(startApp(options), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.equal(error.code, "E_UNKNOWN_SESSION_OPTION");
        assert.match(error.message, message);
        assert.match(error.message, /takes [a-zA-Z, ]+\.$/);
        return true;
      });
    }
  });

  test("the database block: a malformed DATABASE_URL, table, pool or timeout stops start-up naming config/session.ts and the fix", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: "" }, /config\/session\.ts: DRIVERS\.database needs DATABASE_URL \(url\), or a dialect \("postgres", "mysql" or "sqlite"\)/],
      [{ url: "redis://127.0.0.1/0" }, /DATABASE_URL\) must start with postgres:\/\/, postgresql:\/\/, mysql:\/\/, mariadb:\/\/ or sqlite:, got "redis:\.\.\."/],
      [{ url: "postgres://127.0.0.1" }, /must name a host and a database: postgres:\/\/user:password@host:5432\/database/],
      [{ url: "sqlite:" }, /"sqlite:" names no file: use sqlite:storage\/sessions\.db/],
      [{ url: "postgres://app@127.0.0.1/app", table: "sessions; DROP TABLE users" }, /DRIVERS\.database\.table must be a plain table name/],
      [{ url: "postgres://app@127.0.0.1/app", pool: 0 }, /DRIVERS\.database\.pool must be a positive whole number of connections, got 0/],
      [{ url: "postgres://app@127.0.0.1/app", statementTimeout: Number("soon") }, /DRIVERS\.database\.statementTimeout must be a positive number of milliseconds/],
      [{ url: "", dialect: "oracle" }, /got dialect "oracle"/],
    ];
    for (const [driverConfig, message] of cases) {
      await assert.rejects(startApp({ driver: "database", driverConfig }), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.equal(error.code, "E_BAD_SESSION_CONFIG");
        assert.match(error.message, message);
        assert.match(error.message, /^config\/session\.ts: /);
        return true;
      });
    }
  });
});
