import "./support/env";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { generateKey } from "masonite/security";
import { freePort, redisToolsOrSkip, RedisServer, waitFor } from "./support/redis";

const REPO = path.resolve(__dirname, "..");

let server: ChildProcess | undefined;
let redis: RedisServer | undefined;
let tmp: string | undefined;
after(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    process.kill(-server.pid!, "SIGKILL");
    await once(server, "exit");
  }
  await redis?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("under --reload, start-up that failed for want of Redis is retried by itself, says so, and serves once Redis is up, with no file saved", { timeout: 120_000 }, async (t) => {
  if (!redisToolsOrSkip(t, ["redis-server"], "this test starts its own Redis after the app")) return;
  tmp = mkdtempSync(path.join(tmpdir(), "craft-reload-outage-"));
  for (const entry of ["app", "config", "routes", "resources", "craft.ts", "package.json", "tsconfig.json"]) {
    cpSync(path.join(REPO, entry), path.join(tmp, entry), { recursive: true });
  }
  symlinkSync(path.join(REPO, "node_modules"), path.join(tmp, "node_modules"));
  const redisPort = await freePort();
  writeFileSync(path.join(tmp, ".env"), `APP_NAME=Waiting\nAPP_ENV=development\nAPP_KEY=${generateKey()}\nSESSION_DRIVER=redis\nREDIS_URL=redis://127.0.0.1:${redisPort}\n`);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(APP_|SESSION_|REDIS_|NODE_TEST_CONTEXT$|npm_)/.test(name)) env[name] = value;
  }
  let output = "";
  server = spawn(process.execPath, ["-r", "masonite/register", "craft.ts", "serve", "--reload", "--port", String(await freePort())], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) => {
    try {
      await waitFor(what, check, timeoutMs);
    } catch (error) {
      assert.fail(`${(error as Error).message}; the server printed:\n${output}`);
    }
  };
  const address = /http:\/\/127\.0\.0\.1:\d+/;
  await until("the retry notice", () => /retrying by itself/.test(output), 60_000);
  assert.match(output, /cannot reach Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\)/);
  const base = address.exec(output)![0];
  const page = async () => {
    try {
      const response = await fetch(`${base}/`);
      return { status: response.status, body: await response.text() };
    } catch {
      return undefined; // between the stand-in and an attempt nothing listens for a moment
    }
  };
  let waiting: { status: number; body: string } | undefined;
  await until("the waiting page", async () => (waiting = await page())?.status === 503, 30_000);
  assert.match(waiting!.body, /<h1>Waiting for a service the app needs<\/h1>/);
  assert.match(waiting!.body, /Start-up is retried by itself, next in \d+ s; this page reloads until the app answers\. No need to save a file\./);
  assert.match(waiting!.body, /<meta http-equiv="refresh" content="\d+">/);
  assert.match(waiting!.body, /cannot reach Redis at 127\.0\.0\.1:\d+/);

  redis = await RedisServer.startLocal({}, redisPort);
  await until("the app, once Redis is up", async () => /Hello, world!/.test((await page())?.body ?? ""), 60_000);
  assert.match(output, /Waiting is serving on/);
  assert.doesNotMatch(output, /changed, restarting/, "no file was saved");
});
