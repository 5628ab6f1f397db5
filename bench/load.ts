import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import autocannon from "autocannon";

export type ToolName = "wrk" | "autocannon";

export interface LoadTool {
  name: ToolName;
  /** e.g. "wrk 4.1.0" or "autocannon 8.0.0". */
  version: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Responses the load generator completed. */
  requests: number;
  durationS: number;
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Socket errors and timeouts. */
  errors: number;
}

/** wrk when it is installed (it costs the machine less per request), else autocannon; `preferred` forces one. */
export function pickTool(preferred?: string): LoadTool {
  const wrk = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  const wrkVersion = wrk.error ? undefined : /wrk\s+(\S+)/.exec(`${wrk.stdout}${wrk.stderr}`)?.[1];
  const autocannonVersion = (createRequire(__filename)("autocannon/package.json") as { version: string }).version;
  if (preferred === "autocannon") return { name: "autocannon", version: `autocannon ${autocannonVersion}` };
  if (preferred === "wrk" && !wrkVersion) throw new Error("--tool wrk: wrk is not installed");
  if (preferred && preferred !== "wrk") throw new Error(`--tool must be wrk or autocannon, not ${preferred}`);
  if (wrkVersion) return { name: "wrk", version: `wrk ${wrkVersion}` };
  return { name: "autocannon", version: `autocannon ${autocannonVersion}` };
}

export function runLoad(tool: LoadTool, options: LoadOptions): Promise<LoadResult> {
  return tool.name === "wrk" ? runWrk(options) : runAutocannon(options);
}

/** One wrk thread: the other core is left to the server (and Redis). */
async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const args = ["-t1", `-c${options.connections}`, `-d${Math.max(1, Math.round(options.durationS))}s`, "--timeout", "10s", "-s", path.join(__dirname, "wrk-report.lua")];
  for (const [name, value] of Object.entries(options.headers)) args.push("-H", `${name}: ${value}`);
  args.push(options.url);
  const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${stderr || stdout}`);
  const report = JSON.parse(line.slice("BENCH_JSON ".length)) as {
    requests: number;
    duration_us: number;
    errors: number;
    latency_us: { p50: number; p99: number };
  };
  const durationS = report.duration_us / 1e6;
  return {
    requests: report.requests,
    durationS,
    rps: report.requests / durationS,
    latencyP50Ms: report.latency_us.p50 / 1000,
    latencyP99Ms: report.latency_us.p99 / 1000,
    errors: report.errors,
  };
}

async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: Math.max(1, options.durationS),
    headers: options.headers,
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
  };
}
