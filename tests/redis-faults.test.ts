import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import Redis from "ioredis";
import { AppProcess } from "./support/appProcess";
import { closedLoop, HttpClient, openLoop, percentile, sleep, Visitor, type Reply } from "./support/http";
import { RedisServer } from "./support/redis";

/**
 * Redis faults under steady load, against a real app process with REDIS_COMMAND_TIMEOUT=500:
 * Redis killed and restarted (AOF with fsync always, so an acknowledged write must survive),
 * then Redis made slow with DEBUG SLEEP. Requests fail fast with 503 during the fault, never
 * hang, the app recovers by itself, and every write it acknowledged is in Redis afterwards.
 */

const COMMAND_TIMEOUT = 500;
/**
 * What "within the configured timeout" allows for scheduling on two busy cores. A request that
 * waited for Redis instead of failing fast would outlast it: Redis stays down for 2 s and asleep for 3 s.
 */
const SLACK = 1500;

interface Outcome {
  at: number;
  status: number;
  ms: number;
}

/** Visitors whose acknowledged writes are remembered as (session id, field) pairs. */
class Writers {
  readonly visitors: Visitor[];
  readonly acked: { id: string; field: string }[] = [];
  readonly outcomes: Outcome[] = [];
  #next = 0;

  constructor(client: HttpClient, count: number) {
    this.visitors = Array.from({ length: count }, () => new Visitor(client));
  }

  async claimAll(): Promise<void> {
    for (const visitor of this.visitors) assert.equal((await visitor.get("/_rel/claim?owner=writer")).status, 200);
  }

  async write(visitor: Visitor, started: number): Promise<Reply> {
    const n = this.#next++;
    const reply = await visitor.get(`/_rel/write?n=${n}`);
    this.outcomes.push({ at: performance.now() - started, status: reply.status, ms: reply.ms });
    if (reply.status === 200) this.acked.push({ id: visitor.jar.get("masonite_session")!, field: (JSON.parse(reply.body) as { field: string }).field });
    return reply;
  }

  /** Acknowledged writes missing from Redis now. */
  async lost(redis: Redis, namespace: string): Promise<number> {
    let lost = 0;
    const byId = new Map<string, string[]>();
    for (const { id, field } of this.acked) byId.set(id, [...(byId.get(id) ?? []), field]);
    for (const [id, fields] of byId) {
      const stored = await redis.hgetall(`${namespace}:session:${id}`);
      for (const field of fields) if (stored[field] === undefined) lost++;
    }
    return lost;
  }
}

function summary(outcomes: Outcome[], from: number, to: number) {
  const during = outcomes.filter((o) => o.at >= from && o.at <= to);
  const failed = during.filter((o) => o.status !== 200);
  return {
    requests: during.length,
    ok: during.length - failed.length,
    status503: failed.filter((o) => o.status === 503).length,
    other: failed.filter((o) => o.status !== 503),
    fast: failed.filter((o) => o.status === 503 && o.ms <= COMMAND_TIMEOUT + SLACK).length,
    // Sooner than the command timeout: this request did not wait for Redis at all.
    atOnce: failed.filter((o) => o.status === 503 && o.ms < COMMAND_TIMEOUT).length,
    hung: failed.filter((o) => o.status <= 0 || o.ms > COMMAND_TIMEOUT + SLACK).length,
    p50: percentile(during.map((o) => o.ms), 50),
    max: Math.max(0, ...during.map((o) => o.ms)),
  };
}

describe("Redis faults under steady load", () => {
  test("killed -> fast 503s, restarted -> back by itself, slowed -> bounded 503s; no acknowledged write lost", { timeout: 120_000 }, async (t) => {
    const redisServer = await RedisServer.startLocalOrSkip(t, { persistent: true });
    if (!redisServer) return;
    const namespace = `faults${randomBytes(4).toString("hex")}`;
    const app = await AppProcess.start({ env: { SESSION_DRIVER: "redis", REDIS_URL: redisServer.url, SESSION_NAMESPACE: namespace, REDIS_COMMAND_TIMEOUT: String(COMMAND_TIMEOUT), LOG_LEVEL: "error" } });
    const client = new HttpClient(app.url, { timeoutMs: 10_000 });
    const inspector = new Redis(redisServer.port, "127.0.0.1", { lazyConnect: true });
    inspector.on("error", () => {});
    t.after(async () => {
      client.close();
      app.kill();
      inspector.disconnect();
      await redisServer.destroy();
    });
    const pid = app.pid;

    // --- Redis killed and restarted under a closed-loop load of 16 visitors.
    const writers = new Writers(client, 16);
    await writers.claimAll();
    const started = performance.now();
    const now = () => performance.now() - started;
    let killedAt = 0;
    let restartedAt = 0;
    let recoveredAt = 0;
    let stopAt = Number.POSITIVE_INFINITY;
    const faults = (async () => {
      await sleep(1500);
      killedAt = now();
      await redisServer.stop();
      await sleep(2000);
      await redisServer.start();
      restartedAt = now();
    })();
    await closedLoop(16, () => now() < stopAt && now() < 30_000, async (_, lane) => {
      const reply = await writers.write(writers.visitors[lane]!, started);
      if (restartedAt && !recoveredAt && reply.status === 200) {
        recoveredAt = now();
        stopAt = recoveredAt + 1500;
      }
    });
    await faults;
    await inspector.connect();
    const down = summary(writers.outcomes, killedAt, recoveredAt);
    const after = summary(writers.outcomes, recoveredAt + 200, Number.POSITIVE_INFINITY);
    const lostAfterKill = await writers.lost(inspector, namespace);
    t.diagnostic(
      `[redis faults] killed: ${down.requests} requests during the fault (${down.status503} answered 503: failed fast ${down.fast} (within ${COMMAND_TIMEOUT}+${SLACK} ms; ${down.atOnce} under ${COMMAND_TIMEOUT} ms), hung ${down.hung}, ${down.other.length} other; ` +
        `p50 ${down.p50.toFixed(1)} ms, max ${down.max.toFixed(0)} ms); back ${(recoveredAt - restartedAt).toFixed(0)} ms after the restart; ` +
        `${writers.acked.length} writes acknowledged, acknowledged writes lost: ${lostAfterKill}`,
    );
    assert.ok(down.status503 > 0, "the fault was seen");
    assert.deepEqual(down.other.map((o) => o.status), [], "only 200 or 503 while Redis was down");
    assert.equal(down.hung, 0, "no request waited past the command timeout");
    assert.ok(recoveredAt > 0 && recoveredAt - restartedAt < 10_000, `service back within 10 s of the restart (${(recoveredAt - restartedAt).toFixed(0)} ms)`);
    assert.equal(after.requests, after.ok, `after recovery every request succeeds (${after.requests - after.ok} failed)`);
    assert.equal(lostAfterKill, 0, "acknowledged writes lost");

    // --- Redis made slow (DEBUG SLEEP 3) under an open-loop load of 120 requests/s.
    const slowWriters = new Writers(client, 24);
    await slowWriters.claimAll();
    const slowStart = performance.now();
    let sleptAt = 0;
    const sleeper = new Redis(redisServer.port, "127.0.0.1");
    sleeper.on("error", () => {});
    t.after(() => sleeper.disconnect());
    const slowdown = (async () => {
      await sleep(1000);
      sleptAt = performance.now() - slowStart;
      await sleeper.call("DEBUG", "SLEEP", "3");
    })();
    const { sent, maxOutstanding } = await openLoop(120, 6000, async (i) => {
      await slowWriters.write(slowWriters.visitors[i % slowWriters.visitors.length]!, slowStart);
    });
    await slowdown;
    const slow = summary(slowWriters.outcomes, sleptAt, sleptAt + 3000);
    const tail = summary(slowWriters.outcomes, sleptAt + 3000 + 1000, Number.POSITIVE_INFINITY);
    const lostAfterSleep = await slowWriters.lost(inspector, namespace);
    t.diagnostic(
      `[redis faults] slowed (DEBUG SLEEP 3 s, ${sent} requests at 120/s): ${slow.requests} requests during the stall (${slow.status503} answered 503: failed fast ${slow.fast} (within ${COMMAND_TIMEOUT}+${SLACK} ms; ${slow.atOnce} under ${COMMAND_TIMEOUT} ms), hung ${slow.hung}; ` +
        `max latency ${slow.max.toFixed(0)} ms, p50 ${slow.p50.toFixed(1)} ms); at most ${maxOutstanding} requests outstanding at once; ` +
        `${slowWriters.acked.length} writes acknowledged, acknowledged writes lost: ${lostAfterSleep}`,
    );
    assert.ok(slow.status503 > 0, "the stall was seen");
    assert.ok(slow.atOnce >= slow.status503 / 2, `once Redis was known to be stalled, requests failed without waiting for it (${slow.atOnce} of ${slow.status503} under ${COMMAND_TIMEOUT} ms)`);
    assert.deepEqual(slow.other.filter((o) => o.status !== 200).map((o) => o.status), [], "only 200 or 503 while Redis was slow");
    assert.equal(slow.hung, 0, "no request waited past the command timeout");
    assert.ok(maxOutstanding <= 120 * ((COMMAND_TIMEOUT + SLACK) / 1000) + 10, `requests did not pile up (${maxOutstanding} outstanding at most)`);
    assert.equal(tail.requests, tail.ok, `a second after the stall every request succeeds (${tail.requests - tail.ok} failed)`);
    assert.equal(lostAfterSleep, 0, "acknowledged writes lost");

    // The same process served it all, with no unhandled rejection.
    assert.ok(app.running);
    assert.equal(JSON.parse((await client.request("/_rel/health")).body).pid, pid);
    assert.doesNotMatch(app.output, /unhandled|uncaught/i);
  });
});
