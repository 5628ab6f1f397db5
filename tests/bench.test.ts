import "./support/env";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import Koa from "koa";
import serveStatic from "koa-static";
import { runLoad } from "../bench/load";
import { TestClient } from "masonite/testing";
import { startApp, testKernel } from "./support/app";
import { createDatabase } from "./support/database";
import { freePort, RedisServer } from "./support/redis";

const ROOT = path.resolve(__dirname, "..");
const SCENARIOS = ["koa", "koa-session-cookie", "koa-session-redis", "masonite-cookie", "masonite-redis", "masonite-page", "masonite-redis-read", "masonite-api", "masonite-redis-signed-in", "floor-router", "floor-cookie", "floor-redis", "masonite-web-fresh", "masonite-api-logged", "masonite-file", "masonite-api-users", "masonite-web-users", "floor-router-users", "floor-redis-read", "masonite-database", "masonite-database-sqlite", "floor-database", "express-session-pg"];
/** The bench's targets, each a ratio of server CPU per request to a floor, peer or other scenario measured in the same run. */
const RATIO_TARGETS = ["A", "B", "C", "C-koa-session", "D", "D-koa-session", "E", "F", "A-logged", "G", "G-express-session", "G-sqlite"];

interface Results {
  quick: boolean;
  tool: string;
  machine: { cores: number };
  scenarios: Array<{
    id: string;
    rps: number;
    ratio: number;
    failed: number;
    serverCpuUsPerRequest: number;
    redisCpuUsPerRequest?: number;
    redis?: { lostUpdates: number; roundTripsPerRequest: number };
    lostUpdates?: number;
    sql?: { client: string; statementsPerRequest: number; databaseCpuUsPerRequest: number | null };
  }>;
  targets: Array<{ id: string; text: string; value: number; goal: number | null; met?: boolean; scenario?: string; base?: string; spread?: { min: number; max: number }; rpsRatio?: number }>;
  loadAverage: { start: number[]; rounds: number[][]; end: number[] };
  growth: { cookie: Array<{ rps: number; bytes: number }>; redis: Array<{ rps: number; keys: number }> };
  memory: { sessions: number; samples: unknown[] };
}

// The real benchmark is never part of `npm test` (timing assertions are flaky); this only
// proves the harness runs end to end: every server starts, answers, and gets measured. It starts
// some 20 servers one after another, which on two busy cores took over 150 s: the limit only catches a hang.
test("npm run bench -- --quick measures every scenario and writes the JSON and the chart", { timeout: 600_000 }, async (t) => {
  // The database scenarios need a PostgreSQL the bench may create its database on (the bench fails without one).
  const probe = await createDatabase("postgres", t, { table: false });
  if (!probe) return;
  await probe.drop();
  const redis = await RedisServer.startOrSkip(t);
  if (!redis) return;
  const out = mkdtempSync(path.join(os.tmpdir(), "bench-quick-"));
  try {
    const child = spawn(process.execPath, ["-r", "masonite/register", path.join(ROOT, "bench", "run.ts"), "--quick", "--out", out], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redis.url },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a failed or timed-out test stops it and every server it started
    });
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    };
    t.after(stop);
    process.once("exit", stop); // --test-force-exit ends this process without waiting for the child
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const [code] = (await once(child, "close")) as [number | null];
    assert.equal(code, 0, `bench --quick failed:\n${output}`);

    const results = JSON.parse(readFileSync(path.join(out, "latest.json"), "utf8")) as Results;
    assert.equal(results.quick, true);
    assert.match(results.tool, /^(wrk|autocannon) /);
    assert.ok(results.machine.cores >= 1);
    assert.deepEqual(results.scenarios.map((s) => s.id), SCENARIOS);
    for (const scenario of results.scenarios) {
      assert.ok(scenario.rps > 0, `${scenario.id} served no requests:\n${output}`);
      assert.ok(scenario.ratio > 0, `${scenario.id} has no ratio`);
      assert.ok(scenario.serverCpuUsPerRequest > 0, `${scenario.id} has no server CPU time per request`);
      if (scenario.redis) assert.ok(scenario.redisCpuUsPerRequest! > 0, `${scenario.id} has no Redis CPU time per request`);
    }
    // The framework's Redis increments are atomic whatever the machine's speed.
    assert.equal(results.scenarios.find((s) => s.id === "masonite-redis")!.redis!.lostUpdates, 0);
    assert.equal(results.scenarios.find((s) => s.id === "masonite-file")!.lostUpdates, 0, "the file driver's counter loses nothing");
    // The database driver applies each increment to the row as it is, on PostgreSQL and on SQLite.
    assert.equal(results.scenarios.find((s) => s.id === "masonite-database")!.lostUpdates, 0, "the database driver's counter loses nothing on PostgreSQL");
    assert.equal(results.scenarios.find((s) => s.id === "masonite-database-sqlite")!.lostUpdates, 0, "the database driver's counter loses nothing on SQLite");
    assert.ok(Number.isInteger(results.scenarios.find((s) => s.id === "express-session-pg")!.lostUpdates), "the peer's lost updates are counted");
    // F4 is one statement to read and one to apply the change; each scenario on PostgreSQL has its statements counted.
    assert.equal(results.scenarios.find((s) => s.id === "floor-database")!.sql!.statementsPerRequest, 2);
    for (const id of ["floor-database", "masonite-database", "express-session-pg"]) {
      const { sql } = results.scenarios.find((s) => s.id === id)!;
      assert.ok(sql!.statementsPerRequest >= 1, `${id} has its SQL statements counted`);
      // Only its own server's PostgreSQL connections are counted: another server's idle connection closing cannot make it
      // negative. (It is null for a PostgreSQL on another machine, whose processes /proc does not show.)
      if (sql!.databaseCpuUsPerRequest !== null) assert.ok(sql!.databaseCpuUsPerRequest! >= 0, `${id}: PostgreSQL CPU per request ${sql!.databaseCpuUsPerRequest}`);
    }
    assert.equal(results.growth.cookie.map((g) => g.bytes).join(), "100,1024,2048,4096");
    assert.equal(results.growth.redis.map((g) => g.keys).join(), "1,10,100,1000");
    for (const g of [...results.growth.cookie, ...results.growth.redis]) assert.ok(g.rps > 0, JSON.stringify(g));
    assert.ok(results.memory.sessions > 0 && results.memory.samples.length >= 2);
    assert.deepEqual(results.targets.filter((t) => t.scenario).map((t) => t.id), RATIO_TARGETS);
    // Each ratio of CPU per request comes with its spread over the rounds and the req/s ratio beside it.
    for (const target of results.targets.filter((t) => t.scenario)) {
      assert.ok(target.spread!.min <= target.value && target.value <= target.spread!.max, `target ${target.id}: the median lies within the spread`);
      assert.ok(target.rpsRatio! > 0, `target ${target.id} has no req/s ratio`);
    }
    assert.equal(results.loadAverage.start.length, 3);
    assert.equal(results.loadAverage.rounds.length, 1);
    // F3r loads the hash and slides its expiry in one script: one round trip, as (E) must.
    assert.equal(results.scenarios.find((s) => s.id === "floor-redis-read")!.redis!.roundTripsPerRequest, 1);
    for (const target of results.targets) {
      assert.ok(Number.isFinite(target.value), `target ${target.id} has no value`);
      assert.equal(target.met === undefined, target.goal === null, `target ${target.id}: a goal and a verdict go together`);
    }
    // A fresh visitor to a web route that stores nothing never gets a cookie, under load too.
    const fresh = results.targets.find((t) => t.id === "B-nothing-stored")!;
    assert.equal(fresh.value, 0);
    assert.equal(fresh.met, true);
    const lines = output.split("\n");
    for (const target of results.targets) {
      const verdict = target.met === undefined ? "report" : target.met ? "PASS" : "FAIL";
      assert.ok(lines.some((line) => line.startsWith(target.text) && line.trimEnd().endsWith(verdict)), `the terminal's table lists "${target.text}" with ${verdict}:\n${output}`);
    }

    const svg = readFileSync(path.join(out, "latest.svg"), "utf8");
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /bare Koa/);
    assert.match(svg, /floor F1/);
    assert.match(svg, /F2 \/ \(C\)/);
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    assert.ok(!existsSync(path.join(out, "profiles")), "no profiles unless asked for");
  } finally {
    rmSync(out, { recursive: true, force: true });
    await redis.stop();
  }
});

// A database scenario is never skipped without a word: with no PostgreSQL the bench stops and says so.
test("npm run bench fails, naming PostgreSQL, when no PostgreSQL answers", { timeout: 120_000 }, async (t) => {
  const redis = await RedisServer.startOrSkip(t);
  if (!redis) return;
  try {
    const closed = await freePort();
    const child = spawn(process.execPath, ["-r", "masonite/register", path.join(ROOT, "bench", "run.ts"), "--quick", "--out", path.join(os.tmpdir(), "bench-never-written")], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redis.url, DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/postgres` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const [code] = (await once(child, "close")) as [number | null];
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`bench failed: .*the database scenarios need PostgreSQL: none answers at 127\\.0\\.0\\.1:${closed}`));
  } finally {
    await redis.stop();
  }
});

// CI machines may lack wrk: the autocannon path must work on its own.
test("the autocannon load path counts requests against a plain server", { timeout: 30_000 }, async () => {
  const server = createServer((_req, res) => res.end("ok")).listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const { port } = server.address() as AddressInfo;
    const result = await runLoad({ name: "autocannon", version: "autocannon" }, { url: `http://127.0.0.1:${port}/`, connections: 4, durationS: 1, headers: { cookie: "a=b" } });
    assert.ok(result.requests > 0 && result.rps > 0, JSON.stringify(result));
    assert.equal(result.errors, 0);
  } finally {
    server.close();
    server.closeAllConnections();
  }
});

/** Status and body for a raw request path (no URL normalisation, so "..", escapes and NULs arrive as sent). */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, headers: { accept: "text/html" } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Each path's status from `app` and from koa-static alone on `publicFolder` (its body too when that is a file). */
async function assertServedAsKoaStatic(app: TestClient, publicFolder: string, paths: string[]): Promise<void> {
  const reference = new Koa();
  reference.use(serveStatic(publicFolder, { defer: false, gzip: false, brotli: false }));
  reference.use((ctx) => {
    ctx.status = 404;
    ctx.body = "no file";
  });
  const server = reference.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const referenceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const rawPath of paths) {
      const [ours, theirs] = await Promise.all([rawGet(app.url, rawPath), rawGet(referenceUrl, rawPath)]);
      assert.equal(ours.status, theirs.status, `${rawPath}: ${ours.status} here, ${theirs.status} from koa-static`);
      if (theirs.status === 200) assert.equal(ours.body, theirs.body, rawPath);
    }
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

// A performance change found by the bench's profile: routed requests skip koa-send's failing
// async stat. Files, folders and every odd path must still get exactly koa-static's answer.
test("the static-file shortcut answers every path as koa-static does", { timeout: 30_000 }, async () => {
  const app = await startApp();
  try {
    await assertServedAsKoaStatic(app, path.join(ROOT, "storage", "public"), [
      "/favicon.svg", "/css/app.css", "/css/", "/css", "/css/../favicon.svg", "/css/./app.css", "/css//app.css",
      "/%66avicon.svg", "/%2e%2e/package.json", "/../package.json", "/css/%2e%2e/%2e%2e/package.json", "/favicon.svg/x",
      "/nothing-here", "/nothing/here/either.css", "/.env", "/%00", `/${"a".repeat(300)}`, "/favicon.svg%00.txt",
    ]);
  } finally {
    await app.close();
  }
});

// A folder's path is koa-static's only when the folder has an index.html; without one it goes on to the routes.
// Outside development the public folder is listed at start-up; in development each request looks at the disk.
for (const ENV of ["production", "development"]) {
  test(`${ENV}: a folder's index.html is served as koa-static serves it, a folder without one is left to the routes`, { timeout: 30_000 }, async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "masonite-public-"));
    const publicFolder = path.join(root, "storage", "public");
    mkdirSync(path.join(publicFolder, "docs", "guide"), { recursive: true });
    mkdirSync(path.join(publicFolder, "empty"));
    writeFileSync(path.join(publicFolder, "index.html"), "<h1>home</h1>");
    writeFileSync(path.join(publicFolder, "docs", "index.html"), "<h1>docs</h1>");
    writeFileSync(path.join(publicFolder, "docs", "guide", "page.html"), "<h1>page</h1>");
    cpSync(path.join(ROOT, "resources"), path.join(root, "resources"), { recursive: true });
    const kernel = testKernel({ app: { ENV, DEBUG: false }, logging: { LEVEL: "silent" } });
    const app = await TestClient.start({ ...kernel, root, routes: [] });
    try {
      await assertServedAsKoaStatic(app, publicFolder, [
        "/", "/index.html", "/docs", "/docs/", "/docs//", "/docs/./", "/docs/index.html", "/docs/guide", "/docs/guide/", "/docs/guide/page.html",
        "/empty", "/empty/", "/nothing/", "/docs/guide/page.html/",
      ]);
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
}
