import "./support/env";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type Redis from "ioredis";
import { AppProcess, appOnRedis } from "./support/appProcess";
import { HttpClient, sleep, Visitor, type Reply } from "./support/http";

/**
 * Graceful shutdown under load, with the redis driver: SIGTERM (or Ctrl-C, a SIGINT to the
 * whole process group) while requests are in flight. The app stops accepting at once,
 * finishes what it accepted (session writes included), closes Redis and exits 0 quickly.
 */

/**
 * Under `craft serve`'s 10 s grace, so an app that only exits when the grace runs out fails;
 * the rest is slack for two busy cores (a clean exit takes about as long as the slowest request).
 */
const EXIT_WITHIN_MS = 9000;
/** How long the slow requests take: long enough to be in flight when the late probe connects on a busy machine. */
const SLOW_MS = 2000;

interface Tally {
  ok: number;
  refused: number;
  errors: Map<string, number>;
  statuses: Map<number, number>;
}

function tally(replies: Reply[]): Tally {
  const t: Tally = { ok: 0, refused: 0, errors: new Map(), statuses: new Map() };
  for (const r of replies) {
    t.statuses.set(r.status, (t.statuses.get(r.status) ?? 0) + 1);
    if (r.status === 200) t.ok++;
    else if (r.status === 0) {
      t.refused++;
      t.errors.set(r.error ?? "?", (t.errors.get(r.error ?? "?") ?? 0) + 1);
    }
  }
  return t;
}

/**
 * Keeps the visitors busy until the app is gone; each lane keeps its own replies, and the
 * successes that completed after the signal (sent before it or on a live connection) are kept apart.
 */
async function loadUntilGone(app: AppProcess, visitors: Visitor[], path: (lane: number, i: number) => string, signalledAt: () => number): Promise<{ replies: Reply[][]; afterSignal: Reply[] }> {
  const replies: Reply[][] = visitors.map(() => []);
  const afterSignal: Reply[] = [];
  let i = 0;
  await Promise.all(
    visitors.map(async (visitor, lane) => {
      while (app.running) {
        const reply = await visitor.get(path(lane, i++));
        replies[lane]!.push(reply);
        if (signalledAt() > 0 && performance.now() > signalledAt() && reply.status === 200) afterSignal.push(reply);
        if (reply.status === 0) await sleep(20); // refused: the app stopped accepting; try again until it is gone
      }
    }),
  );
  return { replies, afterSignal };
}

async function field(redis: Redis, key: string, name: string): Promise<unknown> {
  const raw = await redis.hget(key, name);
  return raw === null ? undefined : JSON.parse(raw);
}

describe("graceful shutdown", () => {
  test("SIGTERM during load: stops accepting, finishes in-flight requests and their session writes, exits 0", { timeout: 60_000 }, async (t) => {
    const started = await appOnRedis(t, "shutdown");
    if (!started) return;
    const { redisServer, redis, namespace, app, client } = started;

    // 12 visitors writing fast, 6 whose requests take SLOW_MS: some are always in flight.
    const fast = Array.from({ length: 12 }, () => new Visitor(client));
    const slow = Array.from({ length: 6 }, () => new Visitor(client));
    for (const v of [...fast, ...slow]) assert.equal((await v.get("/_rel/claim?owner=x")).status, 200);
    let signalledAt = 0;
    const signal = (async () => {
      await sleep(1200);
      signalledAt = performance.now();
      app.signal("SIGTERM");
    })();
    const fastRun = loadUntilGone(app, fast, (_, i) => `/_rel/write?n=${i}`, () => signalledAt);
    const slowRun = loadUntilGone(app, slow, (_, i) => `/_rel/slow?ms=${SLOW_MS}&n=${i}`, () => signalledAt);
    // A brand-new connection shortly after the signal must be refused while the slow requests finish.
    const probe = (async () => {
      await signal;
      await sleep(150);
      const fresh = new HttpClient(app.url, { keepAlive: false });
      const reply = await fresh.request("/_rel/whoami");
      fresh.close();
      return { reply, stillRunning: app.running };
    })();
    const [{ code, signal: killedBy }, fastResult, slowResult, late] = await Promise.all([app.exited(EXIT_WITHIN_MS + 5000), fastRun, slowRun, probe]);
    const exitMs = performance.now() - signalledAt;

    const all = [...fastResult.replies.flat(), ...slowResult.replies.flat()];
    const counts = tally(all);
    // Every acknowledged write is in Redis.
    let acked = 0;
    let lost = 0;
    for (const [group, run] of [[fast, fastResult], [slow, slowResult]] as const) {
      for (const [lane, visitor] of group.entries()) {
        const key = `${namespace}:session:${visitor.jar.get("masonite_session")}`;
        for (const reply of run.replies[lane]!) {
          if (reply.status !== 200) continue;
          acked++;
          if ((await field(redis, key, (JSON.parse(reply.body) as { field: string }).field)) !== 1) lost++;
        }
      }
    }
    const clients = ((await redis.client("LIST")) as string).split("\n").filter(Boolean).length;
    t.diagnostic(
      `[shutdown] SIGTERM under load: exit ${code} after ${exitMs.toFixed(0)} ms; ${counts.ok} requests succeeded, ` +
        `${fastResult.afterSignal.length + slowResult.afterSignal.length} completed after the signal (${slowResult.afterSignal.length} of them ${SLOW_MS} ms requests in flight at the signal), ${counts.refused} refused or reset (${JSON.stringify(Object.fromEntries(counts.errors))}); ` +
        `statuses ${JSON.stringify(Object.fromEntries(counts.statuses))}; ${acked} acknowledged writes, lost: ${lost}; a new connection 150 ms after the signal: ${late.reply.error ?? late.reply.status}`,
    );
    assert.equal(code, 0, `exit code (signal ${killedBy}):\n${app.output.slice(-2000)}`);
    assert.ok(exitMs < EXIT_WITHIN_MS, `exited within ${EXIT_WITHIN_MS} ms (${exitMs.toFixed(0)})`);
    assert.deepEqual([...counts.statuses.keys()].filter((s) => s !== 200 && s !== 0), [], "every answer was a success; the rest were refused connections");
    assert.equal(lost, 0, "acknowledged writes lost");
    assert.ok(slowResult.afterSignal.some((r) => r.status === 200), "slow requests in flight at the signal finished");
    assert.equal(late.stillRunning, true, "the probe ran while in-flight requests were still finishing");
    assert.ok(late.reply.status === 0, `a new connection after the signal was refused (got ${late.reply.status})`);
    assert.match(app.output, /session store closed/);
    if (!redisServer.external) assert.equal(clients, 1, "only the test's own Redis connection is left");
  });

  for (const workers of [1, 2]) {
    test(`craft serve${workers > 1 ? ` --workers ${workers}` : ""} on Ctrl-C (SIGINT to the process group): the same clean stop`, { timeout: 60_000 }, async (t) => {
      const started = await appOnRedis(t, "ctrlc", { entry: "craft", args: workers > 1 ? ["--workers", String(workers)] : [] });
      if (!started) return;
      const { redis, namespace, app, client } = started;
      // The welcome page counts visits in the session: each 200 is one acknowledged increment.
      const visitors = Array.from({ length: 12 }, () => new Visitor(client));
      let signalledAt = 0;
      void (async () => {
        await sleep(1000);
        signalledAt = performance.now();
        app.signal("SIGINT", true);
      })();
      const [{ code }, run] = await Promise.all([app.exited(EXIT_WITHIN_MS + 5000), loadUntilGone(app, visitors, () => "/", () => signalledAt)]);
      const exitMs = performance.now() - signalledAt;
      const counts = tally(run.replies.flat());
      let mismatched = 0;
      for (const [lane, visitor] of visitors.entries()) {
        const oks = run.replies[lane]!.filter((r) => r.status === 200).length;
        const stored = await field(redis, `${namespace}:session:${visitor.jar.get("masonite_session")}`, "visits");
        if (oks > 0 && stored !== oks) mismatched++;
      }
      t.diagnostic(
        `[shutdown] craft serve${workers > 1 ? ` --workers ${workers}` : ""}, Ctrl-C under load: exit ${code} after ${exitMs.toFixed(0)} ms; ${counts.ok} pages served, ` +
          `${run.afterSignal.length} completed after the signal, ${counts.refused} refused; visit counters off: ${mismatched} of ${visitors.length}`,
      );
      assert.equal(code, 0, app.output.slice(-2000));
      assert.ok(exitMs < EXIT_WITHIN_MS, `exited within ${EXIT_WITHIN_MS} ms (${exitMs.toFixed(0)})`);
      assert.deepEqual([...counts.statuses.keys()].filter((s) => s !== 200 && s !== 0), [], `only successes and refused connections: ${JSON.stringify(Object.fromEntries(counts.statuses))}`);
      assert.equal(mismatched, 0, "every acknowledged visit was counted in Redis");
      assert.match(app.output, /Stopped:/);
    });
  }
});
