// The reliability soak: `npm run test:soak` (about 5 minutes), `-- --minutes N`, or `-- --quick`
// (about 25 s; `npm test` runs that form through tests/soak.test.ts).
//
// One `craft serve --workers 2` app (redis driver, REDIS_COMMAND_TIMEOUT=500) on a Redis with
// AOF fsync always, under a steady closed-loop mix: visitors writing a field of their own per
// request, increments of shared counters, hostile cookies and ids, victims reading their own
// sessions. Faults come round in turn: Redis killed and restarted, Redis stalled (DEBUG SLEEP),
// a worker killed. Checked throughout: no 5xx but 503, and 503 only while a fault is on (or
// just after); no acknowledged write lost; every counter between its acknowledged and its
// attempted increments; no hostile cookie opens anyone's session; no prototype polluted;
// worker heaps flat; a clean exit 0 on SIGTERM at the end. Exit code 0 means all held.
import "./support/env";
import { randomBytes, randomInt } from "node:crypto";
import Redis from "ioredis";
import { AppProcess } from "./support/appProcess";
import { closedLoop, HttpClient, sleep, Visitor } from "./support/http";
import { RedisServer } from "./support/redis";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const MINUTES = Number(args[args.indexOf("--minutes") + 1]) || 5;
const DURATION_MS = QUICK ? 22_000 : MINUTES * 60_000;
const COMMAND_TIMEOUT = 500;
/** After a fault ends, how long 503s are still accepted (reconnect back-off, a replacement worker booting). */
const RECOVERY_MS = 4000;
const CONCURRENCY = 24;

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok && failures.length < 50) failures.push(what);
}

interface Window {
  kind: string;
  from: number;
  to: number;
}

async function main(): Promise<number> {
  if (!(await hasRedisServer())) {
    const why = "redis-server is not installed: the soak cannot run (apt-get install redis-server)";
    if (process.env.REQUIRE_REDIS === "1") {
      console.error(`[soak] ${why}; REQUIRE_REDIS=1 makes this a failure.`);
      return 1;
    }
    console.warn(`\n!!! SKIPPED: ${why}\n`);
    return 0;
  }
  const redisServer = await RedisServer.startLocal({ persistent: true });
  const namespace = `soak${randomBytes(4).toString("hex")}`;
  const app = await AppProcess.start({
    args: ["--workers", "2"],
    env: { SESSION_DRIVER: "redis", REDIS_URL: redisServer.url, SESSION_NAMESPACE: namespace, REDIS_COMMAND_TIMEOUT: String(COMMAND_TIMEOUT) },
  });
  const client = new HttpClient(app.url, { timeoutMs: 5000, maxSockets: CONCURRENCY + 8 });
  const fresh = new HttpClient(app.url, { keepAlive: false, timeoutMs: 5000 });
  const inspector = new Redis(redisServer.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 1 });
  inspector.on("error", () => {});
  const cleanup = async () => {
    client.close();
    fresh.close();
    inspector.disconnect();
    app.kill();
    await redisServer.destroy();
  };
  try {
    return await soak(app, redisServer, client, fresh, inspector, namespace);
  } finally {
    await cleanup();
  }
}

async function hasRedisServer(): Promise<boolean> {
  const { spawnSync } = await import("node:child_process");
  return spawnSync("redis-server", ["--version"]).status === 0;
}

/** Heap after GC of each worker that answers, by pid. */
async function heaps(fresh: HttpClient): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < 12 && seen.size < 2; i++) {
    const reply = await fresh.request("/_rel/health?gc=1");
    if (reply.status !== 200) continue;
    const health = JSON.parse(reply.body) as { pid: number; heapUsed: number; pollution: string[] };
    seen.set(health.pid, health.heapUsed);
    check(health.pollution.length === 0, `prototype pollution in worker ${health.pid}: ${health.pollution}`);
  }
  return seen;
}

async function soak(app: AppProcess, redisServer: RedisServer, client: HttpClient, fresh: HttpClient, inspector: Redis, namespace: string): Promise<number> {
  await inspector.connect();
  // Victims with secrets, writers, and shared counters.
  const victims: { visitor: Visitor; owner: string; id: string }[] = [];
  for (let i = 0; i < 12; i++) {
    const visitor = new Visitor(client);
    const owner = `victim-${i}-${randomBytes(4).toString("hex")}`;
    await visitor.get(`/_rel/claim?owner=${owner}`);
    victims.push({ visitor, owner, id: visitor.jar.get("masonite_session")! });
  }
  const counters = Array.from({ length: 4 }, () => ({ visitor: new Visitor(client), acked: 0, attempted: 0 }));
  for (const c of counters) await c.visitor.get("/_rel/claim?owner=counter");
  const writers = Array.from({ length: CONCURRENCY }, () => new Visitor(client));
  for (const w of writers) await w.get("/_rel/claim?owner=writer");
  const startHeaps = await heaps(fresh);

  const started = performance.now();
  const now = () => performance.now() - started;
  const windows: Window[] = [];
  const inFault = (at: number, ms: number) => windows.some((w) => at + ms >= w.from && at - ms <= (w.to || Number.POSITIVE_INFINITY) + RECOVERY_MS);
  const acked: { id: string; field: string }[] = [];
  const totals = { requests: 0, ok: 0, s503: 0, s503outside: 0, lostConnections: 0, hostile: 0, hostileOpened: 0, victimReads: 0, slowest: 0 };
  let n = 0;

  // Faults, in turn, until the time is up.
  const faults = (async () => {
    const cycle = ["kill", "stall", "worker"] as const;
    for (let i = 0; now() < DURATION_MS - 6000; i++) {
      await sleep(QUICK ? 3000 : 15_000);
      if (now() >= DURATION_MS - 6000) break;
      const kind = cycle[i % cycle.length]!;
      const window: Window = { kind, from: now(), to: 0 };
      windows.push(window);
      if (kind === "kill") {
        await redisServer.stop();
        await sleep(1500);
        await redisServer.start();
      } else if (kind === "stall") {
        const sleeper = new Redis(redisServer.port, "127.0.0.1", { maxRetriesPerRequest: 0 });
        sleeper.on("error", () => {});
        await sleeper.call("DEBUG", "SLEEP", "2").catch(() => undefined);
        sleeper.disconnect();
      } else {
        const health = await fresh.request("/_rel/health");
        if (health.status === 200) process.kill((JSON.parse(health.body) as { pid: number }).pid, "SIGKILL");
        await sleep(1500);
      }
      window.to = now();
    }
  })();

  await closedLoop(CONCURRENCY, () => now() < DURATION_MS, async (_, lane) => {
    const roll = randomInt(100);
    const at = now();
    let kind: string;
    let reply;
    if (roll < 55) {
      kind = "write";
      reply = await writers[lane]!.get(`/_rel/write?n=${n++}`);
      if (reply.status === 200) acked.push({ id: writers[lane]!.jar.get("masonite_session")!, field: (JSON.parse(reply.body) as { field: string }).field });
    } else if (roll < 75) {
      kind = "increment";
      const counter = counters[randomInt(counters.length)]!;
      counter.attempted++;
      reply = await client.request("/_rel/incr", { headers: { cookie: counter.visitor.jar.header()! } });
      if (reply.status === 200) counter.acked++;
    } else if (roll < 92) {
      kind = "hostile";
      totals.hostile++;
      const victim = victims[randomInt(victims.length)]!;
      const forged = [randomBytes(32).toString("base64url"), victim.id.slice(0, randomInt(43)), victim.id.slice(0, 42) + (victim.id[42] === "A" ? "B" : "A"), randomBytes(randomInt(1, 200)).toString("hex"), `${victim.id}x`][randomInt(5)]!;
      reply = await client.request("/_rel/whoami", { headers: { cookie: `masonite_session=${forged}` } });
      if (reply.status === 200 && (JSON.parse(reply.body) as { owner: string | null }).owner !== null) totals.hostileOpened++;
    } else {
      kind = "victim";
      totals.victimReads++;
      const victim = victims[randomInt(victims.length)]!;
      reply = await client.request("/_rel/whoami", { headers: { cookie: `masonite_session=${victim.id}` } });
      if (reply.status === 200) {
        const owner = (JSON.parse(reply.body) as { owner: string | null }).owner;
        check(owner === victim.owner, `a victim saw ${owner} instead of its own session`);
      }
    }
    totals.requests++;
    totals.slowest = Math.max(totals.slowest, reply.ms);
    if (reply.status === 200) totals.ok++;
    else if (reply.status === 503) {
      totals.s503++;
      if (!inFault(at, reply.ms)) {
        totals.s503outside++;
        check(false, `503 outside any fault at ${at.toFixed(0)} ms (${kind})`);
      }
    } else if (reply.status <= 0) {
      // A connection lost with a killed worker (or handed to it as it died) is the only excuse.
      totals.lostConnections++;
      check(windows.some((w) => w.kind === "worker" && at + reply.ms >= w.from && at <= (w.to || Number.POSITIVE_INFINITY) + RECOVERY_MS), `a request failed without an answer outside a worker kill (${reply.error}, ${kind})`);
    } else {
      check(false, `status ${reply.status} for a ${kind} request: ${reply.body.slice(0, 200)}`);
    }
  });
  await faults;

  // Every acknowledged write, every counter.
  let lost = 0;
  const byId = new Map<string, string[]>();
  for (const { id, field } of acked) byId.set(id, [...(byId.get(id) ?? []), field]);
  for (const [id, fields] of byId) {
    const stored = await inspector.hgetall(`${namespace}:session:${id}`);
    for (const field of fields) if (stored[field] === undefined) lost++;
  }
  check(lost === 0, `${lost} acknowledged writes lost`);
  const counterReport: string[] = [];
  for (const c of counters) {
    const value = Number(await inspector.hget(`${namespace}:session:${c.visitor.jar.get("masonite_session")}`, "n"));
    counterReport.push(`${c.acked}<=${value}<=${c.attempted}`);
    check(value >= c.acked && value <= c.attempted, `a counter ended at ${value}: ${c.acked} acknowledged, ${c.attempted} attempted`);
  }
  check(totals.hostileOpened === 0, `${totals.hostileOpened} hostile cookies opened a session`);
  check(totals.lostConnections <= CONCURRENCY * windows.filter((w) => w.kind === "worker").length, `${totals.lostConnections} connections lost`);

  const endHeaps = await heaps(fresh);
  const startMax = Math.max(...startHeaps.values());
  const endMax = Math.max(...endHeaps.values());
  check(endMax - startMax < 30 * 1024 * 1024, `worker heap grew from ${(startMax / 1048576).toFixed(1)} to ${(endMax / 1048576).toFixed(1)} MB`);

  app.signal("SIGTERM");
  const { code } = await app.exited(20_000);
  check(code === 0, `the app exited with ${code} on SIGTERM:\n${app.output.slice(-2000)}`);

  const seconds = (performance.now() - started) / 1000;
  console.log(
    `[soak] ${QUICK ? "quick" : `${MINUTES} min`}: ${totals.requests} requests in ${seconds.toFixed(0)} s over 2 workers (${(totals.requests / seconds).toFixed(0)}/s); ` +
      `faults: ${windows.map((w) => `${w.kind}@${(w.from / 1000).toFixed(1)}s`).join(", ")}; ` +
      `503s ${totals.s503} (outside faults ${totals.s503outside}), connections lost with killed workers ${totals.lostConnections}, slowest answer ${totals.slowest.toFixed(0)} ms; ` +
      `acknowledged writes ${acked.length}, lost ${lost}; counters (acked<=stored<=attempted) ${counterReport.join(" ")}; ` +
      `hostile cookies ${totals.hostile}, opened a session ${totals.hostileOpened}; victim reads ${totals.victimReads}; ` +
      `worker heap after GC ${(startMax / 1048576).toFixed(1)} -> ${(endMax / 1048576).toFixed(1)} MB; exit on SIGTERM ${code}`,
  );
  if (failures.length) {
    console.error(`[soak] FAILED:\n  ${failures.join("\n  ")}`);
    return 1;
  }
  console.log("[soak] all invariants held");
  return 0;
}

// Ctrl-C or a kill of the soak still takes its Redis and app down with it (the helpers' exit hooks).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`[soak] crashed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
