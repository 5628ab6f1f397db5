// Where a server's time goes, measured rather than guessed:
//   node -r masonite/register bench/profile.ts <scenario> [seconds]     profile one scenario's server under load
//   node -r masonite/register bench/profile.ts <file.cpuprofile>        summarise an existing profile
// The server child runs with `node --cpu-prof`; the summary lists the functions with the
// most self time, and the same time grouped by package (or framework folder).
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { generateKey } from "masonite/security";
import { ServerProcess } from "./child";
import { Visitor } from "./client";
import { pickTool, runLoad } from "./load";
import { BenchRedis } from "./redis";
import { SCENARIOS } from "./scenarios";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Milliseconds of self time per function and per package, most first. */
export function summarise(profile: CpuProfile, root: string) {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    if (!us) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, "");
    const where = file ? `${path.relative(root, file)}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"}${where ? `  ${where}` : ""}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    packages.set(packageOf(file, functionName, root), (packages.get(packageOf(file, functionName, root)) ?? 0) + us);
  }
  // Inclusive time (self + callees), each function counted once per stack even when recursive.
  const inclusive = new Map<string, number>();
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const keyOf = (node: ProfileNode) => {
    const file = node.callFrame.url.replace(/^file:\/\//, "");
    return `${node.callFrame.functionName || "(anonymous)"}${file ? `  ${path.relative(root, file)}:${node.callFrame.lineNumber + 1}` : ""}`;
  };
  const walk = (id: number, onStack: Set<string>): number => {
    const node = nodes.get(id)!;
    let us = byNode.get(id) ?? 0;
    const key = keyOf(node);
    const counted = onStack.has(key);
    if (!counted) onStack.add(key);
    for (const child of node.children ?? []) us += walk(child, onStack);
    if (!counted) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
    return us;
  };
  walk(profile.nodes[0]!.id, new Set());
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, functions: sorted(functions), packages: sorted(packages), inclusive: sorted(inclusive) };
}

function packageOf(file: string, functionName: string, root: string): string {
  if (!file) return functionName.startsWith("(") ? functionName : "(native)";
  if (file.startsWith("node:")) return file;
  const modules = file.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = file.slice(modules + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const relative = path.relative(root, file);
  return relative.startsWith("framework/src/") ? relative.split("/").slice(0, 3).join("/") : relative;
}

function print(file: string, top = TOP): void {
  const root = path.resolve(__dirname, "..");
  const summary = summarise(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, root);
  console.log(`\n${file}: ${summary.totalMs.toFixed(0)} ms sampled\n\nself time by function:`);
  for (const f of summary.functions.slice(0, top)) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  console.log("\ntotal time (self + callees) of the app's and the framework's functions and middleware:");
  const interesting = /framework\/src|bench\/|app\/|koa-compose|@koa\/router|@koa\/bodyparser|koa-static|koa-session|tsyringe|nunjucks/;
  for (const f of summary.inclusive.filter((f) => interesting.test(f.name)).slice(0, top)) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  console.log("\nself time by package / framework folder:");
  for (const p of summary.packages.slice(0, 20)) console.log(`  ${p.ms.toFixed(0).padStart(7)} ms ${(p.share * 100).toFixed(1).padStart(5)}%  ${p.name}`);
}

async function profileScenario(id: string, seconds: number): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (!scenario) throw new Error(`unknown scenario ${id} (known: ${SCENARIOS.map((s) => s.id).join(", ")})`);
  const root = path.resolve(__dirname, "..");
  const dir = path.join(root, "bench", "results", "tmp", "profiles");
  mkdirSync(dir, { recursive: true });
  const name = `${id}-${Date.now()}.cpuprofile`;
  const redis = scenario.redis ? await BenchRedis.start() : undefined;
  const env = { ...process.env, APP_KEY: generateKey(), BENCH_REDIS_URL: redis?.url, LOG_LEVEL: "warn" };
  const server = await ServerProcess.start(scenario.kind, { root, env, nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-name", name] });
  try {
    const visitor = new Visitor(server.url);
    await scenario.prime(visitor);
    const cookie = visitor.cookieHeader();
    const tool = pickTool(process.env.BENCH_TOOL);
    const load = await runLoad(tool, { url: server.url + scenario.path, connections: 32, durationS: seconds, headers: cookie ? { cookie } : {} });
    console.log(`${id}: ${Math.round(load.rps)} req/s under ${tool.version} while profiled (profiling slows it down)`);
  } finally {
    await server.stop();
    await redis?.stop();
  }
  const written = readdirSync(dir).find((f) => f === name);
  if (!written) throw new Error(`no profile was written to ${dir}`);
  print(path.join(dir, written));
}

const [target, seconds] = process.argv.slice(2);
const TOP = Number(process.env.PROFILE_TOP ?? 30);
if (!target) {
  console.error("usage: bench/profile.ts <scenario id | file.cpuprofile> [seconds]");
  process.exit(2);
}
(target.endsWith(".cpuprofile") ? Promise.resolve(print(target)) : profileScenario(target, Number(seconds ?? 10))).catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
