// `npm run bench`: this framework against bare Koa, koa-session, express-session and its floors
// (bench/floors.ts), each server in its own child process, the servers taking turns under one load generator.
// The Redis scenarios get a redis-server of the bench's own (or REDIS_URL), the database ones a PostgreSQL database
// of its own on DATABASE_URL's server (else 127.0.0.1:5432 as postgres), dropped at the end: without it the bench fails.
// Options: --quick (one ~1 s round of everything, for the test), --out <dir>, --rounds N,
// --duration S, --connections N, --tool wrk|autocannon, --sessions N, --profile <kinds>.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateKey } from "masonite/security";
import { BENCH_NAMESPACE } from "./app";
import { FLOOR_REDIS_PREFIX } from "./floors";
import { renderChart, type ChartBar } from "./chart";
import { okResponses, allResponses, ServerProcess } from "./child";
import { Visitor } from "./client";
import { BenchDatabase } from "./database";
import { pickTool, runLoad, type LoadResult, type LoadTool } from "./load";
import type { MemoryStats } from "./protocol";
import { BenchRedis, commandDelta } from "./redis";
import { COOKIE_SIZES, frameworkCounter, headerNames, peek, REDIS_KEYS, SCENARIOS, type BenchServices } from "./scenarios";
import { KOA_SESSION_PREFIX, SERVER_KINDS, type ServerKind } from "./servers";
import { RATIO_TARGETS, verdict, type TargetResult } from "./targets";

const ROOT = path.resolve(__dirname, "..");
/** Server children started side by side. */
const SERVERS_STARTING_AT_ONCE = 4;

// ---------------------------------------------------------------------------------------
// Settings

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    rounds: { type: "string" },
    duration: { type: "string" },
    "growth-duration": { type: "string" },
    connections: { type: "string" },
    tool: { type: "string" },
    sessions: { type: "string" },
    profile: { type: "string" },
  },
});

const quick = args.quick!;
const settings = {
  quick,
  rounds: Number(args.rounds ?? (quick ? 1 : 5)),
  durationS: Number(args.duration ?? (quick ? 1 : 5)),
  growthDurationS: Number(args["growth-duration"] ?? (quick ? 1 : 3)),
  warmupS: quick ? 0 : 2,
  connections: Number(args.connections ?? 32),
  memorySessions: Number(args.sessions ?? (quick ? 2_000 : 100_000)),
  memoryChunkS: quick ? 1 : 5,
};
if (!quick && settings.rounds < 5) console.warn("note: fewer than 5 rounds; a target's verdict needs the median of at least 5.");
const outDir = path.resolve(args.out ?? path.join(ROOT, "bench", "results"));
const profileKinds = (args.profile ?? "").split(",").map((s) => s.trim()).filter(Boolean) as ServerKind[];
for (const kind of profileKinds) if (!SERVER_KINDS.includes(kind)) throw new Error(`--profile: unknown server kind ${kind} (known: ${SERVER_KINDS.join(", ")})`);

// ---------------------------------------------------------------------------------------
// What is measured

type Group = "main" | "cookie-growth" | "redis-growth";

interface Item {
  id: string;
  group: Group;
  label: string;
  /** Which child serves it (scenarios share nothing; growth items reuse the scenario 4 and 5 servers). */
  server: string;
  path: string;
  durationS: number;
  /** Gets the returning user's session before the load (and checks the route answers as it should). */
  prime: (visitor: Visitor) => Promise<void>;
  /** Reads the session's counter (from Redis or PostgreSQL, or through the app), for lost updates. */
  counter?: (visitor: Visitor, services: BenchServices) => Promise<number>;
  visitor?: Visitor;
  extra?: Record<string, number>;
}

function items(): Item[] {
  const list: Item[] = SCENARIOS.map((s) => ({
    id: s.id,
    group: "main" as const,
    label: `(${s.n}) ${s.label}`,
    server: s.id,
    path: s.path,
    durationS: settings.durationS,
    prime: s.prime,
    counter: s.counter,
  }));
  for (const bytes of COOKIE_SIZES) {
    list.push({
      id: `cookie-${bytes}B`,
      group: "cookie-growth",
      label: `cookie driver, ${bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`} of data`,
      server: "masonite-cookie",
      path: "/bench/counter",
      durationS: settings.growthDurationS,
      prime: async (visitor) => {
        await visitor.get(`/bench/seed?bytes=${bytes}`);
        await peek(visitor, "/bench/counter");
      },
      extra: { bytes },
    });
  }
  for (const keys of REDIS_KEYS) {
    list.push({
      id: `redis-${keys}keys`,
      group: "redis-growth",
      label: `redis driver, ${keys} key${keys === 1 ? "" : "s"}`,
      server: "masonite-redis",
      path: "/bench/counter",
      durationS: settings.growthDurationS,
      prime: async (visitor) => {
        await visitor.get(`/bench/seed?keys=${keys}`);
        await peek(visitor, "/bench/counter");
      },
      counter: frameworkCounter,
      extra: { keys },
    });
  }
  return list;
}

// ---------------------------------------------------------------------------------------
// Measuring

interface RunRecord {
  round: number;
  load: LoadResult;
  /** 2xx responses the server counted during the run. */
  ok: number;
  failed: number;
  /** Responses that set a cookie. */
  setCookies: number;
  /** The server process's CPU time (all its threads) per request it handled. */
  serverCpuUs: number;
  /** redis-server's CPU time per request, for the Redis scenarios. */
  redisCpuUs?: number;
  redis?: { commands: Record<string, number>; commandsPerRequest: number; roundTripsPerRequest: number; counterDelta?: number; lostUpdates?: number };
  /** SQL statements the server sent (pg) or ran (SQLite) per request; the PostgreSQL server's CPU per request. */
  sql?: { statementsPerRequest: number; databaseCpuUs?: number };
  /** 2xx responses whose increment the stored counter does not show, for counter scenarios (every driver). */
  lostUpdates?: number;
}

async function measure(item: Item, server: ServerProcess, services: BenchServices, tool: LoadTool, round: number, needs: { redis: boolean; sql?: "postgres" | "sqlite" }): Promise<RunRecord> {
  const visitor = item.visitor!;
  const { redis, database } = services;
  const needsRedis = needs.redis;
  const counterBefore = item.counter ? await item.counter(visitor, services) : undefined;
  const commandsBefore = needsRedis && redis ? await redis.commandCalls() : undefined;
  const redisCpuBefore = needsRedis && redis ? await redis.cpuSeconds() : undefined;
  const databaseCpuBefore = needs.sql === "postgres" ? await database!.cpuSeconds(server.pid) : undefined;
  const before = await server.stats();
  const cookie = visitor.cookieHeader();
  const load = await runLoad(tool, { url: server.url + item.path, connections: settings.connections, durationS: item.durationS, headers: cookie ? { cookie } : {} });
  const after = await server.settled();
  const ok = okResponses(before, after);
  const all = allResponses(before, after);
  const handled = Math.max(1, all);
  const record: RunRecord = { round, load, ok, failed: all - ok, setCookies: after.setCookies - before.setCookies, serverCpuUs: (after.cpuMicros - before.cpuMicros) / handled };
  if (redisCpuBefore !== undefined && redis) record.redisCpuUs = ((await redis.cpuSeconds()) - redisCpuBefore) * 1e6 / handled;
  if (needs.sql) {
    const databaseCpuAfter = databaseCpuBefore === undefined ? undefined : await database!.cpuSeconds(server.pid);
    record.sql = { statementsPerRequest: (after.sqlStatements - before.sqlStatements) / handled };
    if (databaseCpuBefore !== undefined && databaseCpuAfter !== undefined) record.sql.databaseCpuUs = (databaseCpuAfter - databaseCpuBefore) * 1e6 / handled;
  }
  if (commandsBefore && redis) {
    const commands = commandDelta(commandsBefore, await redis.commandCalls());
    const total = Object.values(commands).reduce((a, b) => a + b, 0);
    record.redis = { commands, commandsPerRequest: total / handled, roundTripsPerRequest: (after.redisCalls - before.redisCalls) / handled };
  }
  if (counterBefore !== undefined && item.counter) {
    const counterDelta = (await item.counter(visitor, services)) - counterBefore;
    record.lostUpdates = item.path === "/bench/read" ? 0 : Math.max(0, ok - counterDelta);
    if (record.redis) Object.assign(record.redis, { counterDelta, lostUpdates: record.lostUpdates });
  }
  return record;
}

interface MemorySample extends MemoryStats {
  sessions: number;
}

/** A fresh redis-driver server, hammered by clients without a cookie: every request creates a session. */
async function memoryGrowth(tool: LoadTool, env: NodeJS.ProcessEnv, redis: BenchRedis) {
  const server = await ServerProcess.start("masonite-redis", { root: ROOT, env });
  try {
    const url = `${server.url}/bench/counter`;
    const keysBefore = await redis.client.dbsize();
    const origin = await server.stats();
    // Warm up (JIT, pools, first GCs) before the baseline.
    await runLoad(tool, { url, connections: settings.connections, durationS: quick ? 1 : 2, headers: {} });
    let stats = await server.settled();
    const warmup = okResponses(origin, stats);
    const samples: MemorySample[] = [{ sessions: 0, ...(await server.memory()) }];
    let created = 0;
    while (created < settings.memorySessions) {
      await runLoad(tool, { url, connections: settings.connections, durationS: settings.memoryChunkS, headers: {} });
      const now = await server.settled();
      created += okResponses(stats, now);
      stats = now;
      samples.push({ sessions: created, ...(await server.memory()) });
      process.stdout.write(`  memory: ${created.toLocaleString("en-US")} sessions, heapUsed ${mb(samples.at(-1)!.heapUsed)}, rss ${mb(samples.at(-1)!.rss)}\n`);
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const redisKeysCreated = (await redis.client.dbsize()) - keysBefore;
    const heapGrowth = last.heapUsed - first.heapUsed;
    const rssGrowth = last.rss - first.rss;
    const heapPerSession = heapGrowth / Math.max(1, created);
    // Flat: under 16 bytes of heap per session (1.6 MB per 100,000: GC noise, not state) and RSS within 32 MB.
    const flat = heapPerSession < 16 && rssGrowth < 32 * 1024 * 1024;
    return { warmupSessions: warmup, sessions: created, redisKeysCreated, samples, heapGrowthBytes: heapGrowth, rssGrowthBytes: rssGrowth, heapBytesPerSession: heapPerSession, flat };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------
// Numbers

function median(values: number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function loadAvg(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printTable(headers: string[], rows: string[][], rightFrom = 1): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i >= rightFrom)).join("  ");
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = Date.now();
  const tool = pickTool(args.tool);
  console.log(`bench: ${settings.quick ? "QUICK (harness check, numbers meaningless) " : ""}${settings.rounds} round(s), ${settings.durationS} s per scenario, ${settings.connections} connections, ${tool.version}, ${os.availableParallelism()} cores`);

  const redis = await BenchRedis.start();
  console.log(`bench: redis at ${redis.external ? "REDIS_URL" : redis.url}`);
  const database = await BenchDatabase.start().catch(async (error: Error) => {
    await redis.stop();
    throw error;
  });
  console.log(`bench: PostgreSQL database ${database.name} at ${new URL(database.url).host}`);
  const appKey = generateKey();
  const services: BenchServices = { appKey, redis, database };
  const env: NodeJS.ProcessEnv = { ...process.env, APP_KEY: appKey, BENCH_REDIS_URL: redis.url, BENCH_DATABASE_URL: database.url, LOG_LEVEL: "warn" };
  // Profiles are scratch: next to the results of an --out run, else in the git-ignored bench/results/tmp.
  const profileDir = args.out ? path.join(outDir, "profiles") : path.join(ROOT, "bench", "results", "tmp", "profiles");
  if (profileKinds.length) mkdirSync(profileDir, { recursive: true });

  const servers = new Map<string, ServerProcess>();
  try {
    // A few at a time: twenty-odd servers compiling at once on two busy cores each took over a
    // minute to start. Each one is recorded as it starts, so a failure stops those already running.
    const queue = [...SCENARIOS];
    const startNext = async (): Promise<void> => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const nodeArgs = profileKinds.includes(s.kind) ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", `${s.id}.cpuprofile`] : [];
        try {
          servers.set(s.id, await ServerProcess.start(s.kind, { root: ROOT, env, nodeArgs }));
        } catch (error) {
          queue.length = 0; // start no more
          throw error;
        }
      }
    };
    const starts = await Promise.allSettled(Array.from({ length: SERVERS_STARTING_AT_ONCE }, startNext));
    for (const start of starts) if (start.status === "rejected") throw start.reason;

    const list = items();
    for (const item of list) {
      item.visitor = new Visitor(servers.get(item.server)!.url);
      await item.prime(item.visitor);
    }
    // A floor or peer measured against the framework must do its work: the same headers, by name.
    for (const scenario of SCENARIOS.filter((s) => s.sameHeadersAs)) {
      const other = list.find((i) => i.id === scenario.sameHeadersAs)!;
      const [theirs, ours] = await Promise.all([headerNames(list.find((i) => i.id === scenario.id)!.visitor!, scenario.path), headerNames(other.visitor!, other.path)]);
      if (theirs.join() !== ours.join()) throw new Error(`${scenario.id} answers with the headers ${theirs.join(", ")}; ${other.id}, which it is measured against, with ${ours.join(", ")}`);
    }
    for (const item of list.filter((i) => i.group === "cookie-growth")) {
      const cookie = item.visitor!.cookieHeader();
      item.extra = { ...item.extra, cookieHeaderBytes: cookie.length, cookies: cookie.split("; ").length };
    }

    if (settings.warmupS > 0) {
      console.log(`bench: warming up every scenario for ${settings.warmupS} s`);
      for (const item of list.filter((i) => i.group === "main")) {
        const cookie = item.visitor!.cookieHeader();
        await runLoad(tool, { url: servers.get(item.server)!.url + item.path, connections: settings.connections, durationS: settings.warmupS, headers: cookie ? { cookie } : {} });
      }
    }

    const records = new Map<string, RunRecord[]>(list.map((i) => [i.id, []]));
    // The machine's 1, 5 and 15 minute load averages, so a reader sees what else ran beside the bench.
    const loadAverage = { start: loadAvg(), rounds: [] as number[][], end: [] as number[] };
    for (let round = 1; round <= settings.rounds; round++) {
      loadAverage.rounds.push(loadAvg());
      console.log(`bench: round ${round}/${settings.rounds} (load average ${loadAverage.rounds.at(-1)!.join(" ")})`);
      for (const item of list) {
        const scenario = SCENARIOS.find((s) => s.id === item.id);
        const needs = { redis: item.group === "redis-growth" || (scenario?.redis ?? false), sql: scenario?.sql };
        const record = await measure(item, servers.get(item.server)!, services, tool, round, needs);
        records.get(item.id)!.push(record);
        const lost = record.lostUpdates;
        console.log(`  ${pad(item.label, 42)} ${pad(Math.round(record.load.rps).toLocaleString("en-US"), 8, true)} req/s${record.failed ? `  ${record.failed} FAILED` : ""}${lost !== undefined ? `  lost ${lost}` : ""}`);
      }
    }

    loadAverage.end = loadAvg();
    console.log(`bench: memory after ${settings.memorySessions.toLocaleString("en-US")} distinct redis sessions`);
    const memory = await memoryGrowth(tool, env, redis);

    // --- results ---
    const perRoundRatio = (id: string, baseId = "koa") =>
      records.get(id)!.map((r, i) => r.load.rps / records.get(baseId)![i]!.load.rps);
    const mainResults = SCENARIOS.map((s) => {
      const runs = records.get(s.id)!;
      const redisRuns = runs.map((r) => r.redis).filter((r) => r !== undefined);
      const requests = runs.reduce((a, r) => a + r.ok, 0);
      return {
        n: s.n,
        id: s.id,
        label: s.label,
        server: s.kind,
        path: s.path,
        rps: median(runs.map((r) => r.load.rps)),
        ratio: median(perRoundRatio(s.id)),
        roundsRps: runs.map((r) => Math.round(r.load.rps)),
        latencyP50Ms: median(runs.map((r) => r.load.latencyP50Ms)),
        latencyP99Ms: median(runs.map((r) => r.load.latencyP99Ms)),
        serverCpuUsPerRequest: median(runs.map((r) => r.serverCpuUs)),
        serverCpuUsRounds: runs.map((r) => round1(r.serverCpuUs)),
        redisCpuUsPerRequest: s.redis ? median(runs.map((r) => r.redisCpuUs ?? NaN)) : undefined,
        requests,
        failed: runs.reduce((a, r) => a + r.failed + r.load.errors, 0),
        setCookies: runs.reduce((a, r) => a + r.setCookies, 0),
        lostUpdates: s.counter && s.path !== "/bench/read" ? runs.reduce((a, r) => a + (r.lostUpdates ?? 0), 0) : undefined,
        redis: s.redis
          ? {
              commandsPerRequest: median(redisRuns.map((r) => r.commandsPerRequest)),
              roundTripsPerRequest: median(redisRuns.map((r) => r.roundTripsPerRequest)),
              commands: redisRuns.at(-1)?.commands ?? {},
              counterDelta: redisRuns.reduce((a, r) => a + (r.counterDelta ?? 0), 0),
              lostUpdates: redisRuns.reduce((a, r) => a + (r.lostUpdates ?? 0), 0),
              lostUpdateShare: s.path === "/bench/read" ? 0 : redisRuns.reduce((a, r) => a + (r.lostUpdates ?? 0), 0) / Math.max(1, requests),
            }
          : undefined,
        sql: s.sql
          ? {
              client: s.sql === "postgres" ? "pg" : "better-sqlite3",
              // pg: statements sent, each waiting for its reply (one round trip); SQLite: statements run in the process.
              statementsPerRequest: median(runs.map((r) => r.sql?.statementsPerRequest ?? NaN)),
              databaseCpuUsPerRequest: s.sql === "postgres" ? median(runs.map((r) => r.sql?.databaseCpuUs ?? NaN)) : undefined,
            }
          : undefined,
      };
    });
    const byId = (id: string) => mainResults.find((r) => r.id === id)!;

    const growth = (group: Group) =>
      list
        .filter((i) => i.group === group)
        .map((item) => {
          const runs = records.get(item.id)!;
          const rps = median(runs.map((r) => r.load.rps));
          return {
            id: item.id,
            label: item.label,
            ...item.extra,
            rps,
            ratio: median(perRoundRatio(item.id)),
            // On a saturated single-threaded server, 1/throughput is the time each request costs it.
            usPerRequest: 1e6 / rps,
            roundsRps: runs.map((r) => Math.round(r.load.rps)),
            failed: runs.reduce((a, r) => a + r.failed + r.load.errors, 0),
            ...(group === "redis-growth"
              ? { lostUpdates: runs.reduce((a, r) => a + (r.redis?.lostUpdates ?? 0), 0), roundTripsPerRequest: median(runs.map((r) => r.redis?.roundTripsPerRequest ?? NaN)) }
              : {}),
          };
        });
    const cookieGrowth = growth("cookie-growth") as Array<ReturnType<typeof growth>[number] & { bytes: number; cookieHeaderBytes: number; cookies: number }>;
    const redisGrowth = growth("redis-growth") as Array<ReturnType<typeof growth>[number] & { keys: number }>;
    // Never worse than linear: the extra time per KB over the last step (2 KB -> 4 KB) is not
    // above the extra time per KB from the smallest size to 2 KB (with 50% slack for noise).
    // Slopes are taken within each round, where the four sizes ran back to back, then the medians.
    const [c0, , c2, c3] = cookieGrowth;
    type CookieCase = (typeof cookieGrowth)[number];
    const usPerKB = (from: CookieCase, to: CookieCase) =>
      median(from.roundsRps.map((rps, round) => (1e6 / to.roundsRps[round]! - 1e6 / rps) / ((to.bytes - from.bytes) / 1024)));
    const slopeLow = usPerKB(c0!, c2!);
    const slopeHigh = usPerKB(c2!, c3!);
    const lastStepUs = c3!.usPerRequest - c2!.usPerRequest;
    const cookieLinear = slopeHigh <= 1.5 * Math.max(slopeLow, 0) || lastStepUs < 0.03 * c0!.usPerRequest;

    const s5 = byId("masonite-redis");
    const s7 = byId("masonite-redis-read");
    const s9 = byId("masonite-redis-signed-in");
    // The measure of record: the base's server CPU per request over the scenario's, within each round.
    const perRoundCpuRatio = (id: string, baseId: string) => records.get(id)!.map((r, i) => records.get(baseId)![i]!.serverCpuUs / r.serverCpuUs);
    const ratioTargets: TargetResult[] = RATIO_TARGETS.map((t) => {
      const rounds = perRoundCpuRatio(t.scenario, t.base);
      const value = median(rounds);
      return {
        id: t.id,
        text: t.text,
        scenario: t.scenario,
        base: t.base,
        value,
        goal: t.min ?? null,
        spread: { min: Math.min(...rounds), max: Math.max(...rounds) },
        rounds,
        rpsRatio: median(perRoundRatio(t.scenario, t.base)),
        met: t.min === undefined ? undefined : value >= t.min,
      };
    });
    const s13 = byId("masonite-web-fresh");
    const sG = byId("masonite-database");
    const sGSqlite = byId("masonite-database-sqlite");
    const s17 = byId("masonite-web-users");
    const checks: TargetResult[] = [
      { id: "D-lost-updates", text: "(D) redis driver: zero lost updates", value: s5.redis!.lostUpdates, goal: 0, met: s5.redis!.lostUpdates === 0 },
      { id: "E-round-trips", text: "(E) redis read-only: one round trip per request", value: s7.redis!.roundTripsPerRequest, goal: 1, met: Math.abs(s7.redis!.roundTripsPerRequest - 1) < 0.01 },
      { id: "B-nothing-stored", text: "(B) web group, fresh visitor: responses that set a cookie", value: s13.setCookies, goal: 0, met: s13.setCookies === 0 && s13.requests > 0 },
      { id: "B-users-nothing-stored", text: "(B) web group, /bench/users/:id: responses that set a cookie", value: s17.setCookies, goal: 0, met: s17.setCookies === 0 && s17.requests > 0 },
      // The owner index (SessionRegistry) rides in the commit script: a signed-in user's request costs what an anonymous one does.
      { id: "9-owner-index", text: "(9) signed in on redis: at most one Redis command more than (5), the same round trips", value: s9.redis!.commandsPerRequest - s5.redis!.commandsPerRequest, goal: 1, met: s9.redis!.commandsPerRequest - s5.redis!.commandsPerRequest <= 1 && Math.abs(s9.redis!.roundTripsPerRequest - s5.redis!.roundTripsPerRequest) < 0.01 },
      { id: "9-lost-updates", text: "(9) signed in on redis: zero lost updates", value: s9.redis!.lostUpdates, goal: 0, met: s9.redis!.lostUpdates === 0 },
      { id: "cookie-growth-linear", text: "cookie driver cost grows at most linearly with size", value: slopeHigh, goal: slopeLow, met: cookieLinear },
      { id: "G-lost-updates", text: "(G) database driver on PostgreSQL: zero lost updates", value: sG.lostUpdates!, goal: 0, met: sG.lostUpdates === 0 },
      { id: "G-sqlite-lost-updates", text: "database driver on SQLite: zero lost updates", value: sGSqlite.lostUpdates!, goal: 0, met: sGSqlite.lostUpdates === 0 },
      // The peer loads the session, changes it in memory and saves it whole: concurrent requests overwrite each other's increments.
      { id: "G-peer-lost-updates", text: "express-session + connect-pg-simple: lost updates", value: byId("express-session-pg").lostUpdates!, goal: null },
      { id: "memory-flat", text: `memory flat over ${memory.sessions.toLocaleString("en-US")} redis sessions`, value: memory.heapBytesPerSession, goal: 16, met: memory.flat },
    ];
    const targets = [...ratioTargets, ...checks];

    const date = new Date().toISOString();
    const results = {
      date,
      quick: settings.quick,
      machine: { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? "unknown", memoryGB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.type()} ${os.release()}` },
      tool: tool.version,
      redis: redis.external ? "REDIS_URL" : "bench's own redis-server",
      postgres: `bench's own database on ${new URL(database.url).host}`,
      loadAverage,
      method: {
        rounds: settings.rounds,
        durationS: settings.durationS,
        growthDurationS: settings.growthDurationS,
        warmupS: settings.warmupS,
        connections: settings.connections,
        turns: "each round runs every scenario once, in the same order (A, B, C, ... A, B, C ...); reported values are medians over rounds; ratios are medians of per-round ratios, with their min-max over the rounds",
        record: "targets are ratios of server CPU us per request (the base's over the scenario's, higher is better); the req/s ratio is reported beside each",
        clients: "one returning user per scenario: its session cookie is obtained by ordinary requests first, then every load request presents it (all connections share that session)",
        cpu: "server CPU is the server process's CPU time (user + system, all threads) per request it handled, redis CPU is redis-server's (INFO cpu), postgres CPU that of the PostgreSQL server processes serving the bench's database (/proc); unlike req/s they do not depend on how much of the machine the load generator and Redis take",
        sql: "SQL statements per request are counted in the server process: every query its pg client sends (each waits for its own reply: one round trip), or every statement better-sqlite3 runs (BEGIN and COMMIT included: calls in the process, not round trips)",
      },
      scenarios: mainResults,
      targets,
      growth: {
        cookie: cookieGrowth,
        cookieSlopesUsPerKB: { upTo2KB: slopeLow, from2To4KB: slopeHigh },
        redis: redisGrowth,
      },
      memory,
      elapsedS: Math.round((Date.now() - startedAt) / 1000),
    };

    // --- terminal ---
    console.log("");
    console.log(`Requests/s, median of ${settings.rounds} round(s); ratio = median of per-round ratios to bare Koa (${tool.version}, ${settings.connections} connections, ${results.machine.cores} cores).`);
    console.log("CPU us/req: the process's own CPU time per request handled, all threads; it does not depend on the share of the cores the load generator takes.");
    printTable(
      ["scenario", "req/s", "x bare Koa", "p50 ms", "server CPU us/req", "redis CPU us/req", "postgres CPU us/req", "redis cmds/req", "SQL stmts/req", "round trips/req", "lost updates"],
      mainResults.map((r) => [
        `(${r.n}) ${r.label}`,
        Math.round(r.rps).toLocaleString("en-US"),
        `${r.ratio.toFixed(2)}x`,
        r.latencyP50Ms.toFixed(2),
        r.serverCpuUsPerRequest.toFixed(1),
        r.redisCpuUsPerRequest !== undefined ? r.redisCpuUsPerRequest.toFixed(1) : "-",
        r.sql?.databaseCpuUsPerRequest !== undefined ? r.sql.databaseCpuUsPerRequest.toFixed(1) : "-",
        r.redis ? r.redis.commandsPerRequest.toFixed(2) : "-",
        r.sql ? r.sql.statementsPerRequest.toFixed(2) : "-",
        r.redis ? r.redis.roundTripsPerRequest.toFixed(2) : r.sql?.client === "pg" ? r.sql.statementsPerRequest.toFixed(2) : "-",
        r.lostUpdates !== undefined ? `${r.lostUpdates} of ${r.requests} (${((r.lostUpdates / Math.max(1, r.requests)) * 100).toFixed(1)}%)` : "-",
      ]),
    );
    console.log("");
    printTable(
      ["cost growth", "req/s", "x bare Koa", "us/request", "cookie header"],
      [
        ...cookieGrowth.map((g) => [g.label, Math.round(g.rps).toLocaleString("en-US"), `${g.ratio.toFixed(2)}x`, g.usPerRequest.toFixed(1), `${g.cookieHeaderBytes} B in ${g.cookies} cookie(s)`]),
        ...redisGrowth.map((g) => [g.label, Math.round(g.rps).toLocaleString("en-US"), `${g.ratio.toFixed(2)}x`, g.usPerRequest.toFixed(1), "-"]),
      ],
    );
    console.log("");
    console.log(
      `memory (redis driver): heapUsed ${mb(memory.samples[0]!.heapUsed)} -> ${mb(memory.samples.at(-1)!.heapUsed)}, rss ${mb(memory.samples[0]!.rss)} -> ${mb(memory.samples.at(-1)!.rss)} after ${memory.sessions.toLocaleString("en-US")} new sessions (${memory.redisKeysCreated.toLocaleString("en-US")} keys in Redis): ${memory.heapBytesPerSession.toFixed(2)} B heap per session`,
    );
    console.log("");
    const [l1, l5, l15] = loadAverage.start;
    console.log(`Load average (1, 5, 15 min): ${l1} ${l5} ${l15} at the start, ${loadAverage.end.join(" ")} at the end of the rounds.`);
    console.log(`Targets (CPU ratio: the base's server CPU us per request over the scenario's, median of ${settings.rounds} round(s), min-max over them; req/s ratio beside it):`);
    printTable(
      ["target", "CPU ratio", "min-max", "req/s ratio", "least", "result"],
      targets.map((t) => [
        t.text,
        Number(t.value.toFixed(3)).toString(),
        t.spread ? `${t.spread.min.toFixed(2)}-${t.spread.max.toFixed(2)}` : "-",
        t.rpsRatio === undefined ? "-" : t.rpsRatio.toFixed(2),
        t.goal === null ? "-" : String(Number(t.goal.toFixed(3))),
        verdict(t),
      ]),
    );
    if (settings.quick) console.log("\n(quick mode: one short round on a busy machine proves the harness works; its numbers are not the benchmark.)");

    // --- files ---
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
    const kindOf = (id: string): ChartBar["kind"] => (id === "koa" ? "ceiling" : id.startsWith("floor-") ? "floor" : SCENARIOS.find((s) => s.id === id)!.framework ? "framework" : "peer");
    const subtitle = `${settings.quick ? "QUICK RUN · " : ""}median of ${settings.rounds} round(s) · ${tool.version}, ${settings.connections} connections · ${results.machine.cores} cores · ${date.slice(0, 10)}`;
    writeFileSync(
      path.join(outDir, "latest.svg"),
      renderChart({
        title: "Ratios, each measured in the same run (higher is better)",
        subtitle,
        sections: [
          {
            heading: "Targets: server CPU per request, the base's over the scenario's (tick: the least ratio that passes)",
            bars: ratioTargets.map((t) => ({ label: t.text, ratio: t.value, rps: byId(t.scenario!).rps, target: t.goal ?? undefined, kind: "framework" })),
          },
          {
            heading: "Requests/s: every scenario over bare Koa",
            bars: mainResults.map((r) => ({ label: `(${r.n}) ${r.label}`, ratio: r.ratio, rps: r.rps, kind: kindOf(r.id) })),
          },
        ],
      }),
    );
    console.log(`\nbench: wrote ${path.relative(process.cwd(), path.join(outDir, "latest.json"))} and latest.svg in ${results.elapsedS} s`);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    if (redis.external) {
      await redis.deletePrefix(`${BENCH_NAMESPACE}:`);
      await redis.deletePrefix(KOA_SESSION_PREFIX);
      await redis.deletePrefix(FLOOR_REDIS_PREFIX);
    }
    try {
      await redis.stop();
    } finally {
      await database.stop();
    }
  }
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
