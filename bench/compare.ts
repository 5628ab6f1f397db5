// A quick A/B while optimising: a few scenarios only, taking turns, medians printed, nothing written.
//   node -r masonite/register bench/compare.ts koa,masonite-cookie [rounds] [seconds]
//   node -r masonite/register bench/compare.ts koa,masonite-cookie,../before:masonite-cookie
// A `<checkout>:` prefix serves that scenario from another checkout of this repository (an older
// commit in a git worktree, with its own npm install), so two versions of the code take turns
// in one run. The first scenario is the base of the ratios. Server CPU per request (all threads) moves less than
// req/s on a shared machine, so it is the better A/B signal for one server's code. `npm run bench` remains the measurement of record.
import path from "node:path";
import { generateKey } from "masonite/security";
import { allResponses, okResponses, ServerProcess } from "./child";
import { Visitor } from "./client";
import { BenchDatabase } from "./database";
import { pickTool, runLoad } from "./load";
import { BenchRedis } from "./redis";
import { SCENARIOS, type BenchServices } from "./scenarios";

async function main(): Promise<void> {
  const [list, roundsArg, secondsArg] = process.argv.slice(2);
  const root = path.resolve(__dirname, "..");
  const chosen = (list ?? "").split(",").map((item) => {
    const at = item.lastIndexOf(":");
    const id = item.slice(at + 1);
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`unknown scenario ${id} (known: ${SCENARIOS.map((s) => s.id).join(", ")})`);
    return { ...scenario, label: item, root: at > 0 ? path.resolve(item.slice(0, at)) : root };
  });
  if (chosen.length === 0) throw new Error("usage: bench/compare.ts <scenario,scenario,...> [rounds] [seconds]");
  const rounds = Number(roundsArg ?? 3);
  const seconds = Number(secondsArg ?? 3);
  const tool = pickTool(process.env.BENCH_TOOL);
  const redis = chosen.some((s) => s.redis) ? await BenchRedis.start() : undefined;
  const database = chosen.some((s) => s.sql === "postgres")
    ? await BenchDatabase.start().catch(async (error: Error) => {
        await redis?.stop();
        throw error;
      })
    : undefined;
  const services: BenchServices = { appKey: generateKey(), redis, database };
  const env = { ...process.env, APP_KEY: services.appKey, BENCH_REDIS_URL: redis?.url, BENCH_DATABASE_URL: database?.url, LOG_LEVEL: "warn" };
  const servers: ServerProcess[] = [];
  try {
    servers.push(...(await Promise.all(chosen.map((s) => ServerProcess.start(s.kind, { root: s.root, env })))));
    const cookies: string[] = [];
    const visitors: Visitor[] = [];
    for (const [i, scenario] of chosen.entries()) {
      const visitor = new Visitor(servers[i]!.url);
      await scenario.prime(visitor);
      visitors.push(visitor);
      cookies.push(visitor.cookieHeader());
      await runLoad(tool, { url: servers[i]!.url + scenario.path, connections: 32, durationS: 1, headers: cookies[i] ? { cookie: cookies[i]! } : {} });
    }
    const rps: number[][] = chosen.map(() => []);
    const cpu: number[][] = chosen.map(() => []);
    const statements: number[][] = chosen.map(() => []);
    const databaseCpu: number[][] = chosen.map(() => []);
    // Counter scenarios: acknowledged increments the stored counter does not show.
    const lost = chosen.map(() => 0);
    const counted = (i: number) => (chosen[i]!.counter && chosen[i]!.path !== "/bench/read" ? chosen[i]!.counter!(visitors[i]!, services) : undefined);
    for (let round = 0; round < rounds; round++) {
      for (const [i, scenario] of chosen.entries()) {
        const counterBefore = await counted(i);
        const databaseCpuBefore = scenario.sql === "postgres" ? await database!.cpuSeconds(servers[i]!.pid) : undefined;
        const before = await servers[i]!.stats();
        const load = await runLoad(tool, { url: servers[i]!.url + scenario.path, connections: 32, durationS: seconds, headers: cookies[i] ? { cookie: cookies[i]! } : {} });
        const after = await servers[i]!.settled();
        if (counterBefore !== undefined) lost[i]! += Math.max(0, okResponses(before, after) - ((await counted(i))! - counterBefore));
        rps[i]!.push(load.rps);
        cpu[i]!.push((after.cpuMicros - before.cpuMicros) / Math.max(1, allResponses(before, after)));
        statements[i]!.push((after.sqlStatements - before.sqlStatements) / Math.max(1, allResponses(before, after)));
        if (databaseCpuBefore !== undefined) databaseCpu[i]!.push((((await database!.cpuSeconds(servers[i]!.pid)) ?? NaN) - databaseCpuBefore) * 1e6 / Math.max(1, allResponses(before, after)));
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const ratios = (i: number) => median(rps[i]!.map((v, r) => v / rps[0]![r]!));
    for (const [i, scenario] of chosen.entries()) {
      console.log(`${scenario.label.padEnd(22)} ${String(Math.round(median(rps[i]!))).padStart(7)} req/s  ${ratios(i).toFixed(2)}x  [${rps[i]!.map(Math.round).join(", ")}]  server CPU ${median(cpu[i]!).toFixed(1)} us/req${chosen[i]!.sql ? `  SQL ${median(statements[i]!).toFixed(2)} stmts/req` : ""}${databaseCpu[i]!.length ? `  postgres CPU ${median(databaseCpu[i]!).toFixed(1)} us/req` : ""}${chosen[i]!.counter && chosen[i]!.path !== "/bench/read" ? `  lost updates ${lost[i]}` : ""}`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    try {
      await redis?.stop();
    } finally {
      await database?.stop();
    }
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
