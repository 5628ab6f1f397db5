import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { Cluster } from "ioredis";
import { AppProcess } from "./support/appProcess";
import { startApp } from "./support/app";
import { closedLoop, HttpClient, sleep, Visitor } from "./support/http";
import { lab } from "./support/lab-client";
import { probeClient, RedisClusterGroup } from "./support/redis";

/**
 * Redis Cluster: three masters with a replica each, created by the test. The Session API
 * works on it (every MULTI stays on one session key, so in one slot; regenerate retires the
 * old id with a command of its own); sessions spread over all masters; a master killed under
 * load is replaced by its replica while the app keeps serving, with 503s only during the switch.
 */

const NAME = "masonite_session";
const COMMAND_TIMEOUT = 500;
/** Slowest request allowed during the switch: the command timeout plus slack for two busy cores (a request that never answers is the client's 5 s timeout, status 0). */
const HUNG_AFTER = COMMAND_TIMEOUT + 2500;

/** Which master serves a key now. */
async function masterOf(group: RedisClusterGroup, inspector: Cluster, key: string): Promise<number> {
  const nodes = await group.nodes();
  const slot = (await inspector.cluster("KEYSLOT", key)) as number;
  const owner = nodes.find((n) => n.role === "master" && n.slots.some((range) => {
    const [from, to] = range.split("-").map(Number);
    return slot >= from! && slot <= (to ?? from)!;
  }));
  return owner!.port;
}

describe("Redis Cluster", () => {
  test("the Session API on a three-master cluster, regenerate included; a master killed under load is replaced by its replica", { timeout: 150_000 }, async (t) => {
    const group = await RedisClusterGroup.startOrSkip(t, { masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
    if (!group) return;
    t.after(() => group.destroy());
    const inspector = new Cluster(group.seeds, { lazyConnect: true });
    inspector.on("error", () => {});
    t.after(() => inspector.disconnect());
    await inspector.connect();
    const namespace = `cluster${randomBytes(4).toString("hex")}`;
    const key = (id: string) => `${namespace}:session:${id}`;

    // --- The Session API in-process, against the cluster.
    const app = await startApp({ driver: "redis", driverConfig: { cluster: group.seeds, options: {}, namespace, commandTimeout: 2000 } });
    t.after(() => app.close());
    const c = app.visitor();
    assert.deepEqual(await lab(c, { op: "set", key: "user", value: "ada" }, { op: "increment", key: "n", by: 2 }, { op: "flash", key: "msg", value: "hi" }), [null, 2, null]);
    assert.deepEqual(await lab(c, { op: "get", key: "user" }, { op: "get", key: "n" }, { op: "get", key: "msg" }), ["ada", 2, "hi"]);
    const first = c.jar.get(NAME)!;
    await lab(c, { op: "regenerate" });
    const second = c.jar.get(NAME)!;
    assert.notEqual(second, first);
    assert.equal(await inspector.exists(key(first)), 0, "regenerate retired the old id's key");
    assert.equal(await inspector.hget(key(second), "user"), '"ada"', "the data moved to the new key");
    await lab(c, { op: "flush" }, { op: "set", key: "after", value: 1 });
    assert.deepEqual(await lab(c, { op: "all" }), [{ after: 1 }]);
    await lab(c, { op: "invalidate" });
    const third = c.jar.get(NAME)!;
    assert.equal(await inspector.exists(key(second)), 0, "invalidate retired the old key");
    assert.deepEqual(await lab(c, { op: "all" }), [{}]);
    assert.notEqual(third, second);
    // Why regenerate must not put both keys in one MULTI: two session keys usually sit in different slots.
    let crossSlot = "";
    for (let i = 0; i < 20 && !crossSlot; i++) {
      const [a, b] = [key(randomBytes(32).toString("base64url")), key(randomBytes(32).toString("base64url"))];
      const result = await inspector.multi().unlink(a).hset(b, "x", "1").exec().catch((error: Error) => error);
      if (result instanceof Error) crossSlot = result.message;
      else if (result?.some(([error]) => error)) crossSlot = String(result.find(([error]) => error)![0]);
    }
    assert.ok(crossSlot, "a MULTI over two session keys was refused by the cluster");
    // Sessions spread over every master.
    const masters = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const v = app.visitor();
      await lab(v, { op: "set", key: "i", value: i });
      masters.add(await masterOf(group, inspector, key(v.jar.get(NAME)!)));
    }
    assert.equal(masters.size, 3, `sessions landed on ${masters.size} masters`);

    // A user's sessions on a cluster: the owner's index may sit in another slot than a session,
    // so it is written by a command of its own; listing and revoking still see every device.
    const devices = [app.visitor(), app.visitor()];
    for (const device of devices) assert.equal((await device.get("/_auth/sign-in/ada-cluster")).status, 302);
    const listedHandles = (html: string) => [...html.matchAll(/<li class="session" data-handle="([^"]+)">/g)].map((m) => m[1]!);
    const handles = listedHandles((await devices[0]!.get("/account/sessions")).text);
    assert.equal(handles.length, 2, "both devices are listed");
    assert.equal((await devices[0]!.post("/account/sessions/others/revoke")).status, 302);
    assert.equal(listedHandles((await devices[0]!.get("/account/sessions")).text).length, 1, "only this device is left");
    assert.match((await devices[1]!.get("/account/sessions")).text, /<h1>Signed out<\/h1>/, "the other device is signed out");
    await app.close();

    // --- A master killed under load, with the app as its own process (REDIS_CLUSTER, as config/session.ts reads it).
    const child = await AppProcess.start({
      env: { SESSION_DRIVER: "redis", REDIS_CLUSTER: group.seeds.map((s) => `${s.host}:${s.port}`).join(","), REDIS_COMMAND_TIMEOUT: String(COMMAND_TIMEOUT), SESSION_NAMESPACE: namespace },
    });
    const client = new HttpClient(child.url, { timeoutMs: 5000 });
    t.after(() => {
      client.close();
      child.kill();
    });
    const pid = child.pid;
    const owners = Array.from({ length: 30 }, (_, i) => ({ visitor: new Visitor(client), owner: `before-${i}-${randomBytes(4).toString("hex")}` }));
    for (const { visitor, owner } of owners) assert.equal((await visitor.get(`/_rel/claim?owner=${owner}`)).status, 200);
    // The master that holds the first owner's session dies; first make its replica acknowledge what it holds.
    const doomed = await masterOf(group, inspector, key(owners[0]!.visitor.jar.get(NAME)!));
    let onDoomed = 0;
    for (const o of owners) if ((await masterOf(group, inspector, key(o.visitor.jar.get(NAME)!))) === doomed) onDoomed++;
    const replicated = await probeClient(doomed, async (r) => {
      await r.hset(key(owners[0]!.visitor.jar.get(NAME)!), "wait-marker", "1"); // a write of our own on that master ...
      return (await r.call("WAIT", "1", "1500")) as number; // ... acknowledged by its replica, with everything before it
    });
    assert.equal(replicated, 1, "the doomed master's replica acknowledged its writes");

    const writers = Array.from({ length: 16 }, () => new Visitor(client));
    for (const w of writers) await w.get("/_rel/claim?owner=writer");
    const started = performance.now();
    const now = () => performance.now() - started;
    const outcomes: { at: number; status: number; ms: number }[] = [];
    let killedAt = 0;
    let promotedAt = 0;
    let recoveredAt = 0;
    let n = 0;
    const failover = (async () => {
      await sleep(1000);
      killedAt = now();
      await group.serverOn(doomed).stop();
      while (now() < killedAt + 40_000) {
        const nodes = await group.nodes().catch(() => []);
        const masterPorts = nodes.filter((node) => node.role === "master" && node.slots.length > 0).map((node) => node.port);
        if (masterPorts.length === 3 && !masterPorts.includes(doomed)) {
          promotedAt = now();
          return;
        }
        await sleep(100);
      }
    })();
    await closedLoop(16, () => now() < 45_000 && !(recoveredAt && now() > recoveredAt + 2000), async (_, lane) => {
      const reply = await writers[lane]!.get(`/_rel/write?n=${n++}`);
      outcomes.push({ at: now(), status: reply.status, ms: reply.ms });
      // Recovered: the cluster has its three masters again and requests succeed.
      if (promotedAt && !recoveredAt && reply.status === 200 && outcomes.slice(-16).every((o) => o.status === 200)) recoveredAt = now();
    });
    await failover;

    const during = outcomes.filter((o) => o.at >= killedAt && o.at <= recoveredAt);
    const before = outcomes.filter((o) => o.at < killedAt);
    const afterwards = outcomes.filter((o) => o.at > recoveredAt + 200);
    const statuses = (list: typeof outcomes) => JSON.stringify(Object.fromEntries([...new Set(list.map((o) => o.status))].map((s) => [s, list.filter((o) => o.status === s).length])));
    const slowest = Math.max(0, ...during.map((o) => o.ms));
    let survived = 0;
    for (const { visitor, owner } of owners) {
      const seen = JSON.parse((await visitor.get("/_rel/whoami")).body) as { owner: string | null };
      if (seen.owner === owner) survived++;
    }
    t.diagnostic(
      `[cluster] master :${doomed} (holding ${onDoomed} of ${owners.length} sessions) killed under load; replica promoted after ${(promotedAt - killedAt).toFixed(0)} ms; ` +
        `failover time as the app saw it (kill -> steady success): ${(recoveredAt - killedAt).toFixed(0)} ms; ${during.length} requests during the switch ${statuses(during)} (slowest ${slowest.toFixed(0)} ms), ` +
        `before ${statuses(before)}, after ${statuses(afterwards)}; sessions from before still there: ${survived}/${owners.length}; app pid unchanged: ${child.pid === pid && child.running}`,
    );
    assert.ok(promotedAt > 0, "the replica took over the dead master's slots");
    assert.ok(recoveredAt > 0, "the app served sessions steadily again");
    assert.deepEqual([...new Set(before.map((o) => o.status))], [200]);
    assert.deepEqual([...new Set(during.map((o) => o.status))].filter((s) => s !== 200 && s !== 503), [], "only 503s (or successes) during the switch");
    assert.ok(slowest < HUNG_AFTER, `no request hung during the switch (slowest ${slowest.toFixed(0)} ms)`);
    assert.ok(afterwards.length > 0 && afterwards.every((o) => o.status === 200), `after the switch every request succeeds: ${statuses(afterwards)}`);
    assert.equal(survived, owners.length, "sessions written (and replica-acknowledged) before the failover survived");
    assert.ok(child.running && child.pid === pid, "the same app process, never restarted");
  });
});
