// `npm run bench:startup`: what a production process costs, printed, never asserted.
//   node -r masonite/register bench/startup.ts [rounds]
// Three servers, each started with `node` directly (no npm in between) and APP_ENV=production:
//   bare Koa    a Koa app answering GET / with a line of text, plain JavaScript
//   source      this repository's app from its TypeScript, framework included, through
//               `-r masonite/register` (SWC at run time): how production ran before craft build
//   compiled    a new app from `craft new`, `craft build` and `npm ci --omit=dev`: `node build/craft.js serve`
// For each: the time from spawn to the first 200 on GET / (the median of the rounds), and the
// CPU time the process used by then (steadier than wall time when other work shares the
// machine), resident memory (VmRSS) right after that and after 10,000 more requests; and the
// size and package count of the production install that each needs. Linux only (/proc).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { folderSize, installedPackages, NPM, productionApp, succeed } from "../tests/support/productionApp";
import { freePort } from "../tests/support/redis";

const REPO = path.resolve(__dirname, "..");
const REQUESTS = 10_000;

interface Server {
  name: string;
  cwd: string;
  args: string[];
  /** The node_modules folder the server needs in production, for its size and package count. */
  install: string;
}

interface Round {
  startMs: number;
  /** CPU time (user + system) the process used to its first 200: steadier than wall time on a shared machine. */
  startCpuMs: number;
  rssStartMb: number;
  rssLoadedMb: number;
}

const BARE_KOA = `"use strict";
const Koa = require("koa");
const app = new Koa();
app.use((ctx) => { ctx.body = "Hello, world!"; });
app.listen(Number(process.argv[2]), "127.0.0.1", () => console.log("listening"));
`;

function residentMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line[1]) / 1024;
}

/** The process's user + system CPU time, from /proc (clock ticks of 10 ms, Linux's USER_HZ). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function firstOk(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} gave no 200 in time`);
}

async function measure(server: Server): Promise<Round> {
  const port = await freePort();
  const env = {
    ...process.env,
    APP_ENV: "production",
    APP_DEBUG: "false",
    APP_KEY: `base64:${Buffer.alloc(32, 7).toString("base64")}`,
    APP_URL: `http://127.0.0.1:${port}`,
    SESSION_DRIVER: "cookie",
    LOG_LEVEL: "error",
  };
  const started = performance.now();
  const child = spawn(process.execPath, [...server.args, String(port)], { cwd: server.cwd, env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    await firstOk(`http://127.0.0.1:${port}/`, Date.now() + 60_000);
    const startMs = performance.now() - started;
    const startCpuMs = cpuMs(child.pid!);
    const rssStartMb = residentMb(child.pid!);
    const load = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 10, amount: REQUESTS });
    if (load["2xx"] !== REQUESTS) throw new Error(`${server.name}: ${load["2xx"]} of ${REQUESTS} requests answered 2xx`);
    return { startMs, startCpuMs, rssStartMb, rssLoadedMb: residentMb(child.pid!) };
  } finally {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const tmp = mkdtempSync(path.join(tmpdir(), "bench-startup-"));
  try {
    console.log("Preparing: craft new, npm install, craft build, npm ci --omit=dev ...");
    const shipped = await productionApp(tmp);
    const koaApp = path.join(tmp, "bare-koa");
    mkdirSync(koaApp);
    const koaVersion = (JSON.parse(readFileSync(path.join(shipped.production, "node_modules", "koa", "package.json"), "utf8")) as { version: string }).version;
    writeFileSync(path.join(koaApp, "package.json"), JSON.stringify({ name: "bare-koa", private: true, dependencies: { koa: koaVersion } }));
    writeFileSync(path.join(koaApp, "server.js"), BARE_KOA);
    await succeed("npm install koa", NPM, ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], koaApp, { timeout: 120_000 });
    const servers: Server[] = [
      { name: "bare Koa", cwd: koaApp, args: ["server.js"], install: koaApp },
      { name: "source (-r masonite/register)", cwd: REPO, args: ["-r", "masonite/register", "craft.ts", "serve", "--port"], install: shipped.development },
      { name: "compiled (node build/craft.js)", cwd: shipped.production, args: ["build/craft.js", "serve", "--port"], install: shipped.production },
    ];
    const results = new Map<string, Round[]>(servers.map((server) => [server.name, []]));
    // Interleaved, so a busy moment of the machine falls on every server alike.
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) results.get(server.name)!.push(await measure(server));
    }

    const koa = results.get("bare Koa")!;
    const koaStart = median(koa.map((r) => r.startMs));
    const koaCpu = median(koa.map((r) => r.startCpuMs));
    const koaRss = median(koa.map((r) => r.rssStartMb));
    console.log(`\nNode ${process.version}, ${rounds} rounds (medians), ${REQUESTS} requests of GET / over 10 connections between the two RSS readings\n`);
    console.log(["server", "first 200 (wall)", "x Koa", "CPU to first 200", "x Koa", "RSS at start", "x Koa", "RSS after load", "install (MB)", "packages"].join(" | "));
    for (const server of servers) {
      const measured = results.get(server.name)!;
      const start = median(measured.map((r) => r.startMs));
      const cpu = median(measured.map((r) => r.startCpuMs));
      const rss = median(measured.map((r) => r.rssStartMb));
      const loaded = median(measured.map((r) => r.rssLoadedMb));
      const modules = path.join(server.install, "node_modules");
      console.log(
        [
          server.name,
          `${start.toFixed(0)} ms`,
          (start / koaStart).toFixed(2),
          `${cpu.toFixed(0)} ms`,
          (cpu / koaCpu).toFixed(2),
          `${rss.toFixed(1)} MB`,
          (rss / koaRss).toFixed(2),
          `${loaded.toFixed(1)} MB`,
          (folderSize(modules) / 1e6).toFixed(1),
          installedPackages(server.install).length,
        ].join(" | "),
      );
    }
    console.log(
      "\nThe install columns: bare Koa is `npm install koa`; compiled is the built app's `npm ci --omit=dev`; source is the app's full install," +
        " which running from TypeScript needs (TypeScript, SWC and the @types packages included).",
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.stack);
  process.exitCode = 1;
});
