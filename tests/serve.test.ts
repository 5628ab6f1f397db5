import "./support/env";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { test } from "node:test";
import { generateKey } from "masonite/security";
import { AppProcess } from "./support/appProcess";
import { freePort, waitFor } from "./support/redis";

const ROOT = path.resolve(__dirname, "..");
const CRAFT = [process.execPath, "-r", "masonite/register", "craft.ts"] as const;

/** Runs a craft command to its end; each takes about a second to boot, so tests start theirs together. */
function craft(args: string[], env: Record<string, string | undefined>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CRAFT[0], [...CRAFT.slice(1), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

test("craft serve prints its URL, serves the welcome page, logs the request, and stops cleanly on SIGTERM", { timeout: 60_000 }, async () => {
  const port = await freePort();
  const child = spawn(CRAFT[0], [...CRAFT.slice(1), "serve", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, APP_ENV: "development", SESSION_DRIVER: "cookie", LOG_LEVEL: "info", LOG_REQUESTS: undefined, LOG_PRETTY: undefined },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let output = "";
    let log = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    while (!output.includes("serving on")) {
      if (child.exitCode !== null) assert.fail(`craft serve exited early: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(output, new RegExp(`serving on http://127\\.0\\.0\\.1:${port}`));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Hello, world!/);
    assert.match(page.headers.get("set-cookie") ?? "", /masonite_session=.*HttpOnly; SameSite=Lax/);
    // Development: a readable line per request, on stderr (stdout stays the command's own).
    await waitFor("a request line on stderr", () => /^\[[\d:.]+\] INFO: GET \/ 200 [\d.]+ ms$/m.test(log), 5_000).catch(() => assert.fail(`no request line on stderr: ${log}`));
    assert.doesNotMatch(output, /GET \/ 200/);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("in production the log is JSON lines, and LOG_REQUESTS=true adds one per request", { timeout: 60_000 }, async () => {
  const app = await AppProcess.start({ env: { LOG_LEVEL: "info", LOG_REQUESTS: "true" } });
  try {
    assert.equal((await fetch(`${app.url}/?token=s3cret`)).status, 200);
    assert.equal((await fetch(`${app.url}/no/such/page`)).status, 404);
    const requests = () => app.output.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { msg: string; request?: Record<string, unknown> }).filter((line) => line.request);
    await waitFor("two JSON request lines", () => requests().length === 2, 5_000).catch(() => assert.fail(`two JSON request lines expected: ${app.output}`));
    assert.deepEqual(requests().map(({ request }) => [request!.method, request!.path, request!.status]), [["GET", "/", 200], ["GET", "/no/such/page", 404]]);
    assert.doesNotMatch(app.output, /s3cret/);
  } finally {
    app.kill();
  }
});

test("craft serve refuses to start in production without an app key", async () => {
  const result = await craft(["serve", "--port", "0"], { APP_ENV: "production", APP_DEBUG: "false", APP_KEY: "" });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /APP_KEY is missing or shorter than 32 bytes, and the cookie session store seals sessions with it/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "a one-line error, not a stack trace");
});

test("craft with no command prints the commands and exits 0", async () => {
  const result = await craft([], {});
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Usage: craft \[options\] \[command\]/);
  assert.match(result.stdout, /routes:list/);
});

test("craft key prints a fresh 32-byte key; --help works for every command", async () => {
  const commands = ["serve", "key"];
  const [first, second, ...helps] = await Promise.all([craft(["key"], {}), craft(["key"], {}), ...commands.map((command) => craft([command, "--help"], {}))]);
  assert.match(first!.stdout.trim(), /^base64:[A-Za-z0-9+/]{43}=$/);
  assert.notEqual(first!.stdout, second!.stdout);
  commands.forEach((command, i) => {
    assert.equal(helps[i]!.status, 0);
    assert.match(helps[i]!.stdout, new RegExp(`Usage: craft ${command}`));
  });
});

test("craft serve applies the production guards to any spelling of production, and refuses an unknown APP_ENV", async () => {
  const key = generateKey();
  const [debug, keyless, unknown] = await Promise.all([
    craft(["serve", "--port", "0"], { APP_ENV: " PRODUCTION", APP_DEBUG: "true", APP_KEY: key }),
    craft(["serve", "--port", "0"], { APP_ENV: "Production", APP_DEBUG: "false", APP_KEY: "" }),
    craft(["serve", "--port", "0"], { APP_ENV: "staging", APP_KEY: key }),
  ]);
  assert.equal(debug.status, 1, `exit status ${debug.status}: ${debug.stdout}${debug.stderr}`);
  assert.match(debug.stderr, /APP_DEBUG is true while APP_ENV is production/);
  assert.equal(keyless.status, 1, `exit status ${keyless.status}: ${keyless.stdout}${keyless.stderr}`);
  assert.match(keyless.stderr, /APP_KEY is missing or shorter than 32 bytes, and the cookie session store seals sessions with it/);
  assert.equal(unknown.status, 1, `exit status ${unknown.status}: ${unknown.stdout}${unknown.stderr}`);
  assert.match(unknown.stderr, /APP_ENV is "staging", .*one of development, production, testing\.\n$/);
  assert.doesNotMatch(unknown.stderr, /\n\s+at /, "a one-line error, not a stack trace");
});
