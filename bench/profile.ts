// Where a server's time goes, measured rather than guessed:
//   node -r masonite/register bench/profile.ts <scenario> [seconds]     profile one scenario's server under load
//   node -r masonite/register bench/profile.ts <file.cpuprofile>        summarise an existing profile
// The server child runs with `node --cpu-prof`; the summary lists the functions with the
// most self time, the same time grouped by package (or framework folder), and by part of the
// request path (Koa, router, security headers, Session, Encrypter, redis store ...), per request.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { generateKey } from "masonite/security";
import { allResponses, ServerProcess } from "./child";
import { Visitor } from "./client";
import { pickTool, runLoad } from "./load";
import { BenchDatabase } from "./database";
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

/**
 * Which part of the request path a sample's time belongs to: the deepest frame of the stack
 * that is the app's, the framework's or a package's decides. Node's own frames count as the
 * caller's work (crypto, header validation) except the HTTP parser and socket writes, which are
 * the server's share that every framework and floor pays alike.
 */
const COMPONENTS: Array<[RegExp, string]> = [
  [/framework\/src\/foundation\/pipeline\.ts#/, "request pipeline"],
  [/framework\/src\/foundation\/errorPages\.ts#/, "error pages"],
  [/framework\/src\/foundation\/staticFiles\.ts#/, "static files check"],
  [/framework\/src\/foundation\/routeDispatch\.ts#/, "route dispatch"],
  [/framework\/src\/foundation\/routeHandler\.ts#/, "route handler"],
  [/framework\/src\/foundation\/readBody\.ts#/, "body reader"],
  [/framework\/src\/security\/headers\.ts#/, "security headers"],
  [/framework\/src\/security\/Encrypter\.ts#/, "Encrypter"],
  [/framework\/src\/container\//, "RequestScope/container"],
  [/framework\/src\/request\/body/, "body reader"],
  [/framework\/src\/request\//, "Request"],
  [/framework\/src\/response\//, "Response"],
  [/framework\/src\/views\//, "View"],
  [/framework\/src\/routes\//, "route table"],
  [/framework\/src\/sessions\/SessionMiddleware/, "SessionMiddleware"],
  [/framework\/src\/sessions\/VerifyCsrfToken/, "VerifyCsrfToken"],
  [/framework\/src\/sessions\/SessionManager/, "SessionManager"],
  [/framework\/src\/sessions\/(Session|SessionData)\.ts/, "Session"],
  [/framework\/src\/sessions\/cookies/, "session cookies"],
  [/framework\/src\/sessions\/stores\/redis/, "redis store"],
  [/framework\/src\/sessions\/stores\/database/, "database store"],
  [/framework\/src\/sessions\/stores\/cookie/, "cookie store"],
  [/framework\/src\/sessions\//, "sessions (other)"],
  [/framework\/src\//, "framework (other)"],
  [/node_modules\/cookie\//, "session cookies"],
  [/node_modules\/(ioredis|redis-parser|redis-errors|denque|cluster-key-slot|standard-as-callback|lodash)/, "ioredis"],
  [/node_modules\/(pg|pg-pool|pg-protocol|pg-types|pg-connection-string|postgres-array|postgres-bytea|postgres-date|postgres-interval|pgpass|split2)\//, "pg"],
  [/node_modules\/better-sqlite3\//, "better-sqlite3"],
  [/node_modules\/(@koa\/router|path-to-regexp)\//, "@koa/router"],
  [/node_modules\/(koa|koa-compose|delegates|ee-first|only|statuses|mime-types|mime-db|content-type|type-is|accepts|negotiator|vary|on-finished|encodeurl|escape-html|cookies|keygrip|http-errors|http-assert|destroy|fresh|content-disposition|depd)\//, "Koa"],
  [/node_modules\/tsyringe\//, "RequestScope/container"],
  [/node_modules\/koa-session\//, "koa-session"],
  [/node_modules\//, "other packages"],
  [/bench\/(floors|servers)\.ts#/, "floor/peer handler"],
  [/bench\/app\.ts#/, "controller"],
  [/bench\//, "bench harness (child)"],
  [/app\//, "controller"],
];
const NODE_HTTP = /^node:(_http_|net|internal\/stream|internal\/streams|internal\/http|stream)/;
const HEADER_CHECKS = /^(setHeader|removeHeader|hasHeader|getHeader|getHeaderNames|appendHeader|checkInvalidHeaderChar|checkIsHttpToken|validateHeaderName|validateHeaderValue)$/;

/** `detail`: each part split by the function that decides it ("Koa: get query"). */
export function components(profile: CpuProfile, root: string, detail = false): Array<{ name: string; ms: number; share: number }> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const cache = new Map<number, string>();
  const classify = (leaf: number): string => {
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const { functionName, url } = nodes.get(id)!.callFrame;
      if (url.startsWith("node:internal/modules") || url.startsWith("node:internal/main")) return "(start-up)";
      if (!url) {
        if (/^\((garbage collector|idle|program)\)$/.test(functionName)) return functionName;
        continue;
      }
      if (url.startsWith("node:")) {
        if (HEADER_CHECKS.test(functionName)) continue;
        if (url === "node:internal/process/task_queues" || url === "node:internal/async_hooks") return "promise hops (microtasks)";
        if (NODE_HTTP.test(url)) return "Node HTTP parser/socket";
        continue;
      }
      const key = `${path.relative(root, url.replace(/^file:\/\//, ""))}#${functionName}`;
      for (const [pattern, name] of COMPONENTS) if (pattern.test(key)) return detail ? `${name}: ${functionName || "(anonymous)"}` : name;
      return key;
    }
    return "(other)";
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    let name = cache.get(id);
    if (name === undefined) cache.set(id, (name = classify(id)));
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const working = [...totals].filter(([name]) => !["(idle)", "(start-up)"].includes(name));
  const total = working.reduce((a, [, us]) => a + us, 0);
  return working.sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
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

/** `requests`: how many the profiled server answered, to put each part's time per request. */
function print(file: string, top = TOP, requests?: number): void {
  const root = path.resolve(__dirname, "..");
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const summary = summarise(profile, root);
  console.log(`\n${file}: ${summary.totalMs.toFixed(0)} ms sampled\n\nself time by function:`);
  for (const f of summary.functions.slice(0, top)) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  console.log("\ntotal time (self + callees) of the app's and the framework's functions and middleware:");
  const interesting = /framework\/src|bench\/|app\/|koa-compose|@koa\/router|@koa\/bodyparser|koa-static|koa-session|tsyringe|nunjucks/;
  for (const f of summary.inclusive.filter((f) => interesting.test(f.name)).slice(0, top)) console.log(`  ${f.ms.toFixed(0).padStart(7)} ms ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  console.log("\nself time by package / framework folder:");
  for (const p of summary.packages.slice(0, 20)) console.log(`  ${p.ms.toFixed(0).padStart(7)} ms ${(p.share * 100).toFixed(1).padStart(5)}%  ${p.name}`);
  console.log("\nself time by part of the request path (idle and start-up left out; share of the rest):");
  const parts = components(profile, root);
  if (requests) console.log(`  (${requests} requests; µs per request are the profiled main thread's, inflated by the profiler: compare shares, or scale them by an unprofiled run's CPU per request)`);
  const line = (c: { name: string; ms: number; share: number }) => console.log(`  ${c.ms.toFixed(0).padStart(7)} ms ${(c.share * 100).toFixed(1).padStart(5)}%${requests ? ` ${((c.ms * 1000) / requests).toFixed(2).padStart(7)} µs/req` : ""}  ${c.name}`);
  parts.forEach(line);
  console.log("\nthe same, split by the function that decides each part:");
  components(profile, root, true).slice(0, top).forEach(line);
}

async function profileScenario(id: string, seconds: number): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (!scenario) throw new Error(`unknown scenario ${id} (known: ${SCENARIOS.map((s) => s.id).join(", ")})`);
  const root = path.resolve(__dirname, "..");
  const dir = path.join(root, "bench", "results", "tmp", "profiles");
  mkdirSync(dir, { recursive: true });
  const name = `${id}-${Date.now()}.cpuprofile`;
  const redis = scenario.redis ? await BenchRedis.start() : undefined;
  const database = scenario.sql === "postgres" ? await BenchDatabase.start() : undefined;
  const env = { ...process.env, APP_KEY: generateKey(), BENCH_REDIS_URL: redis?.url, BENCH_DATABASE_URL: database?.url, LOG_LEVEL: "warn" };
  let server: ServerProcess | undefined;
  let requests = 0;
  try {
    server = await ServerProcess.start(scenario.kind, { root, env, nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-name", name] });
    const visitor = new Visitor(server.url);
    await scenario.prime(visitor);
    const cookie = visitor.cookieHeader();
    const tool = pickTool(process.env.BENCH_TOOL);
    const load = await runLoad(tool, { url: server.url + scenario.path, connections: 32, durationS: seconds, headers: cookie ? { cookie } : {} });
    console.log(`${id}: ${Math.round(load.rps)} req/s under ${tool.version} while profiled (profiling slows it down)`);
    requests = allResponses({ statuses: {}, setCookies: 0, inflight: 0, redisCalls: 0, sqlStatements: 0, cpuMicros: 0 }, await server.settled());
  } finally {
    await server?.stop();
    await redis?.stop();
    await database?.stop();
  }
  const written = readdirSync(dir).find((f) => f === name);
  if (!written) throw new Error(`no profile was written to ${dir}`);
  print(path.join(dir, written), TOP, requests);
}

const TOP = Number(process.env.PROFILE_TOP ?? 30);

function main(): void {
  const [target, seconds] = process.argv.slice(2);
  if (!target) {
    console.error("usage: bench/profile.ts <scenario id | file.cpuprofile> [seconds]");
    process.exit(2);
  }
  (target.endsWith(".cpuprofile") ? Promise.resolve(print(target)) : profileScenario(target, Number(seconds ?? 10))).catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exitCode = 1;
  });
}

// Run as a script; imported, it only lends summarise() and components().
if (require.main === module) main();
