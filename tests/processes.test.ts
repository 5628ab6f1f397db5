import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { AppProcess } from "./support/appProcess";
import { closedLoop, HttpClient, Visitor } from "./support/http";
import { RedisServer } from "./support/redis";

/**
 * Several app processes: separately started ones sharing one Redis (and one APP_KEY), and
 * `craft serve --workers 2`. A session written through one process is read through another;
 * concurrent increments spread over processes end exact; a killed worker is replaced.
 */

/** The "n" field of a session hash, read with a connection of its own that is closed again. */
async function counter(redisServer: RedisServer, key: string): Promise<number> {
  const redis = redisServer.client();
  try {
    return Number(await redis.hget(key, "n"));
  } finally {
    redis.disconnect();
  }
}

/** The same visitor (same cookies) talking to another process. */
function sameVisitor(visitor: Visitor, client: HttpClient): Visitor {
  const other = new Visitor(client);
  for (const name of visitor.jar.names()) other.jar.set(name, visitor.jar.get(name)!);
  return other;
}

/** Increments one session `total` times, spread round-robin over the clients, `concurrency` at a time. */
async function spreadIncrements(visitor: Visitor, clients: HttpClient[], total: number, concurrency: number): Promise<{ ok: number; statuses: Record<number, number> }> {
  const cookie = visitor.jar.header()!;
  const statuses: Record<number, number> = {};
  let ok = 0;
  await closedLoop(concurrency, (i) => i < total, async (i) => {
    const reply = await clients[i % clients.length]!.request("/_rel/incr", { headers: { cookie } });
    statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
    if (reply.status === 200) ok++;
  });
  return { ok, statuses };
}

/** Requests per second of the welcome page (session read + increment + template) over `seconds`. */
async function throughput(url: string, seconds: number, concurrency: number): Promise<{ rps: number; errors: number }> {
  const client = new HttpClient(url, { maxSockets: concurrency });
  const visitors = Array.from({ length: concurrency }, () => new Visitor(client));
  try {
    await closedLoop(concurrency, (i) => i < concurrency * 20, async (_, lane) => void (await visitors[lane]!.get("/", { accept: "text/html" }))); // warm-up
    let done = 0;
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await closedLoop(concurrency, () => performance.now() < until, async (_, lane) => {
      const reply = await visitors[lane]!.get("/", { accept: "text/html" });
      if (reply.status === 200) done++;
      else errors++;
    });
    return { rps: done / ((performance.now() - started) / 1000), errors };
  } finally {
    client.close();
  }
}

describe("several app processes", () => {
  test("separately started processes share sessions (redis and cookie drivers); increments spread over them end exact", { timeout: 120_000 }, async (t) => {
    const redisServer = await RedisServer.startOrSkip(t);
    if (!redisServer) return;
    const namespace = `procs${randomBytes(4).toString("hex")}`;
    const env = { SESSION_DRIVER: "redis", REDIS_URL: redisServer.url, SESSION_NAMESPACE: namespace };
    const [a, b] = await Promise.all([AppProcess.start({ env }), AppProcess.start({ env })]);
    const [ca, cb] = [new HttpClient(a.url), new HttpClient(b.url)];
    const [cookieA, cookieB] = await Promise.all([AppProcess.start({ env: { SESSION_DRIVER: "cookie" } }), AppProcess.start({ env: { SESSION_DRIVER: "cookie" } })]);
    const [kA, kB] = [new HttpClient(cookieA.url), new HttpClient(cookieB.url)];
    t.after(async () => {
      for (const c of [ca, cb, kA, kB]) c.close();
      for (const p of [a, b, cookieA, cookieB]) p.kill();
      if (!redisServer.external) await redisServer.destroy();
    });

    // Written through one process, read through the other.
    for (const [driver, [first, second]] of [["redis", [ca, cb]], ["cookie", [kA, kB]]] as const) {
      const visitor = new Visitor(first);
      assert.equal((await visitor.get("/_rel/claim?owner=ada")).status, 200);
      const seen = JSON.parse((await sameVisitor(visitor, second).get("/_rel/whoami")).body) as { owner: string };
      assert.equal(seen.owner, "ada", `${driver}: the other process reads the session`);
    }

    // 600 concurrent increments of one session, alternating between the two processes.
    const visitor = new Visitor(ca);
    await visitor.get("/_rel/claim?owner=counter");
    const started = performance.now();
    const { ok, statuses } = await spreadIncrements(visitor, [ca, cb], 600, 24);
    const ms = performance.now() - started;
    const seenThroughB = (JSON.parse((await sameVisitor(visitor, cb).get("/_rel/whoami")).body) as { keys: string[] }).keys.includes("n");
    const final = seenThroughB ? await counter(redisServer, `${namespace}:session:${visitor.jar.get("masonite_session")}`) : 0;
    t.diagnostic(`[processes] two separately started processes, one Redis: 600 concurrent increments of one session (24 at a time, alternating) -> ${final}; statuses ${JSON.stringify(statuses)}; ${ms.toFixed(0)} ms`);
    assert.equal(ok, 600);
    assert.equal(final, 600, "no increment lost or doubled");
  });

  test("craft serve --workers 2: both workers serve, increments over them end exact, a killed worker is replaced; throughput next to one process", { timeout: 120_000 }, async (t) => {
    const redisServer = await RedisServer.startOrSkip(t);
    if (!redisServer) return;
    const namespace = `workers${randomBytes(4).toString("hex")}`;
    const env = { SESSION_DRIVER: "redis", REDIS_URL: redisServer.url, SESSION_NAMESPACE: namespace };
    const cluster = await AppProcess.start({ env, args: ["--workers", "2"] });
    const client = new HttpClient(cluster.url);
    const fresh = new HttpClient(cluster.url, { keepAlive: false });
    t.after(async () => {
      client.close();
      fresh.close();
      cluster.kill();
      if (!redisServer.external) await redisServer.destroy();
    });
    assert.match(cluster.output, /serving on http:\/\/127\.0\.0\.1:\d+ with 2 workers/);

    // New connections are spread over both workers.
    const pids = async () => {
      const seen = new Set<number>();
      for (let i = 0; i < 40; i++) seen.add((JSON.parse((await fresh.request("/_rel/health")).body) as { pid: number }).pid);
      return seen;
    };
    const before = await pids();
    assert.equal(before.size, 2, `two workers answered: ${[...before]}`);
    assert.ok(!before.has(cluster.pid), "the primary does not serve requests itself");

    const visitor = new Visitor(client);
    await visitor.get("/_rel/claim?owner=counter");
    const { ok } = await spreadIncrements(visitor, [client, fresh], 600, 24);
    const n = await counter(redisServer, `${namespace}:session:${visitor.jar.get("masonite_session")}`);
    assert.equal(ok, 600);
    assert.equal(n, 600, "increments over both workers end exact");

    // A worker killed outright is replaced; the other keeps answering meanwhile. (A connection the primary
    // hands to the worker at the instant it dies is lost with it: that one client waits for its own timeout,
    // which is long so that an answer merely slowed by a busy machine never counts as lost.)
    const victim = [...before][0]!;
    const probe = new HttpClient(cluster.url, { keepAlive: false, timeoutMs: 10_000 });
    t.after(() => probe.close());
    process.kill(victim, "SIGKILL");
    const killedAt = performance.now();
    const after = new Set<number>();
    let served = 0;
    let lostWithWorker = 0;
    while (!(after.size === 2 && !after.has(victim)) && performance.now() - killedAt < 45_000) {
      const reply = await probe.request("/_rel/health");
      if (reply.status === 200) {
        served++;
        after.add((JSON.parse(reply.body) as { pid: number }).pid);
      } else lostWithWorker++;
    }
    const replacedMs = performance.now() - killedAt;
    assert.ok(after.size === 2 && !after.has(victim), `a replacement worker serves (${[...after]})`);
    assert.match(cluster.output, /stopped unexpectedly \(SIGKILL\); starting another/);
    assert.ok(cluster.running);
    assert.ok(lostWithWorker <= 3, `${lostWithWorker} requests lost while a worker was replaced`);

    // Throughput: the welcome page (session read, increment, template) with 32 keep-alive clients, in
    // interleaved rounds so a passing load on the machine hits both setups alike; medians are printed.
    const single = await AppProcess.start({ env });
    t.after(() => single.kill());
    const rounds: { one: number[]; two: number[]; errors: number } = { one: [], two: [], errors: 0 };
    for (let round = 0; round < 4; round++) {
      for (const [which, url] of (round % 2 ? [["one", single.url], ["two", cluster.url]] : [["two", cluster.url], ["one", single.url]]) as ["one" | "two", string][]) {
        const measured = await throughput(url, 1.5, 32);
        rounds[which].push(measured.rps);
        rounds.errors += measured.errors;
      }
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    const [one, two] = [median(rounds.one), median(rounds.two)];
    for (const app of [cluster, single]) {
      app.signal("SIGTERM");
      assert.equal((await app.exited()).code, 0);
    }
    t.diagnostic(
      `[processes] craft serve --workers 2: 600 increments over both workers -> ${n}; killed worker replaced in ${replacedMs.toFixed(0)} ms (${served} requests served meanwhile, ${lostWithWorker} lost with the killed worker); ` +
        `throughput of the welcome page with the redis driver, 32 keep-alive clients, load generator on the same 2 cores, median of 4 interleaved 1.5 s rounds: ` +
        `1 process ${one.toFixed(0)} req/s, 2 workers ${two.toFixed(0)} req/s (x${(two / one).toFixed(2)}; rounds ${rounds.one.map((r) => r.toFixed(0)).join("/")} vs ${rounds.two.map((r) => r.toFixed(0)).join("/")}); errors ${rounds.errors}`,
    );
    assert.equal(rounds.errors, 0);
  });
});
