import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { AppProcess } from "./support/appProcess";
import { closedLoop, HttpClient, sleep, Visitor } from "./support/http";
import { probeClient, RedisSentinelGroup } from "./support/redis";

/**
 * Redis Sentinel: a master, a replica and three sentinels (quorum 2, down-after 1000 ms),
 * the app configured only with the sentinels (REDIS_SENTINELS, as config/session.ts reads
 * it). The master is killed under load: the app follows the failover by itself, answers 503
 * only during the switch, and sessions the replica acknowledged (WAIT) are still there.
 */

const COMMAND_TIMEOUT = 500;
/** Slowest request allowed during the switch: the command timeout plus slack for two busy cores (a request that never answers is the client's 5 s timeout, status 0). */
const HUNG_AFTER = COMMAND_TIMEOUT + 2500;

describe("Redis Sentinel", () => {
  test("master killed under load: the app follows the failover without a restart; replica-acknowledged sessions survive", { timeout: 120_000 }, async (t) => {
    const group = await RedisSentinelGroup.startOrSkip(t, { downAfterMs: 1000, failoverTimeoutMs: 3000 });
    if (!group) return;
    t.after(() => group.destroy());
    const namespace = `sentinel${randomBytes(4).toString("hex")}`;
    const app = await AppProcess.start({
      env: {
        SESSION_DRIVER: "redis",
        REDIS_HOST: "127.0.0.1",
        REDIS_PORT: "1", // never used: the sentinels say where the master is
        REDIS_SENTINELS: group.sentinels.map((s) => `${s.host}:${s.port}`).join(","),
        REDIS_SENTINEL_NAME: group.name,
        REDIS_COMMAND_TIMEOUT: String(COMMAND_TIMEOUT),
        SESSION_NAMESPACE: namespace,
      },
    });
    const client = new HttpClient(app.url, { timeoutMs: 5000 });
    t.after(() => {
      client.close();
      app.kill();
    });
    const pid = app.pid;

    // Sessions written before the failover, then made durable on the replica: WAIT after a write of our own
    // on the master covers everything the master had accepted before it (replication is one ordered stream).
    const firstMaster = (await group.masterPort())!;
    const owners = Array.from({ length: 20 }, (_, i) => ({ visitor: new Visitor(client), owner: `before-${i}-${randomBytes(4).toString("hex")}` }));
    for (const { visitor, owner } of owners) assert.equal((await visitor.get(`/_rel/claim?owner=${owner}`)).status, 200);
    const acknowledgedBy = await probeClient(firstMaster, async (c) => {
      await c.set(`${namespace}:marker`, "1");
      return (await c.call("WAIT", "1", "1500")) as number; // under the probe client's 2 s command timeout
    });
    assert.equal(acknowledgedBy, 1, "the replica acknowledged the writes");

    // Steady load; the master is killed after a second.
    const writers = Array.from({ length: 16 }, () => new Visitor(client));
    for (const w of writers) await w.get("/_rel/claim?owner=writer");
    const started = performance.now();
    const now = () => performance.now() - started;
    const outcomes: { at: number; status: number; ms: number }[] = [];
    const acked: { lane: number; field: string; at: number }[] = [];
    let killedAt = 0;
    let deadAt = 0;
    let switchedAt = 0;
    let recoveredAt = 0;
    let n = 0;
    const failover = (async () => {
      await sleep(1000);
      killedAt = now();
      await group.serverOn(firstMaster).stop();
      deadAt = now();
      while (now() < killedAt + 30_000) {
        const port = await group.masterPort();
        if (port && port !== firstMaster) {
          switchedAt = now();
          return port;
        }
        await sleep(100);
      }
      return undefined;
    })();
    await closedLoop(16, () => now() < 40_000 && !(recoveredAt && now() > recoveredAt + 2000), async (_, lane) => {
      const sentAt = now();
      const reply = await writers[lane]!.get(`/_rel/write?n=${n++}`);
      outcomes.push({ at: now(), status: reply.status, ms: reply.ms });
      if (reply.status === 200) acked.push({ lane, field: (JSON.parse(reply.body) as { field: string }).field, at: now() });
      // Only a request sent once the old master was gone can have been served by the new one: a
      // success that merely arrived late (the old master answered it) is no recovery on a busy machine.
      if (deadAt && sentAt > deadAt && !recoveredAt && reply.status === 200) recoveredAt = now();
    });
    const newMaster = await failover;

    const during = outcomes.filter((o) => o.at >= killedAt && o.at <= recoveredAt);
    const afterwards = outcomes.filter((o) => o.at > recoveredAt + 100);
    const before = outcomes.filter((o) => o.at < killedAt);
    const statuses = (list: typeof outcomes) => JSON.stringify(Object.fromEntries([...new Set(list.map((o) => o.status))].map((s) => [s, list.filter((o) => o.status === s).length])));
    const slowest = Math.max(0, ...during.map((o) => o.ms));

    // The sessions from before the failover, read through the same app process.
    let survived = 0;
    for (const { visitor, owner } of owners) {
      const seen = JSON.parse((await visitor.get("/_rel/whoami")).body) as { owner: string | null };
      if (seen.owner === owner) survived++;
    }
    // Load writes the old master acknowledged but had not replicated when it died: Redis replication is asynchronous.
    const onNewMaster = await probeClient(newMaster!, async (c) => Promise.all(writers.map((w) => c.hgetall(`${namespace}:session:${w.jar.get("masonite_session")}`))));
    const missing = acked.filter(({ lane, field }) => onNewMaster[lane]![field] === undefined);
    const missingAfterSwitch = missing.filter((m) => m.at > recoveredAt);
    t.diagnostic(
      `[sentinel] master :${firstMaster} killed under load; sentinels switched to :${newMaster} after ${(switchedAt - killedAt).toFixed(0)} ms; ` +
        `failover time as the app saw it (kill -> first session write served): ${(recoveredAt - killedAt).toFixed(0)} ms; ` +
        `${during.length} requests during the switch ${statuses(during)} (slowest ${slowest.toFixed(0)} ms), before ${statuses(before)}, after ${statuses(afterwards)}; ` +
        `replica-acknowledged sessions still there: ${survived}/${owners.length}; app pid unchanged: ${app.pid === pid && app.running}; ` +
        `load writes acknowledged ${acked.length}, of which not on the new master ${missing.length} (acknowledged by the old master in its last moments, before replication; ${missingAfterSwitch.length} after the switch)`,
    );
    assert.ok(newMaster && newMaster !== firstMaster, "the sentinels promoted the replica");
    assert.ok(recoveredAt > 0, "the app served sessions again after the failover");
    assert.deepEqual([...new Set(before.map((o) => o.status))], [200], "all good before the kill");
    assert.deepEqual([...new Set(during.map((o) => o.status))].filter((s) => s !== 200 && s !== 503), [], "only 503s (or successes) during the switch");
    assert.ok(slowest < HUNG_AFTER, `no request hung during the switch (slowest ${slowest.toFixed(0)} ms)`);
    assert.ok(afterwards.length > 0 && afterwards.every((o) => o.status === 200), `after the switch every request succeeds: ${statuses(afterwards)}`);
    assert.equal(survived, owners.length, "sessions acknowledged by the replica survived the failover");
    assert.equal(missingAfterSwitch.length, 0, "every write acknowledged after the switch is on the new master");
    assert.ok(app.running && app.pid === pid, "the same app process, never restarted");
  });
});
