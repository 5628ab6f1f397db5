import "./support/env";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { generateKey } from "masonite/security";
import { waitFor } from "./support/redis";

const REPO = path.resolve(__dirname, "..");
const servers: ChildProcess[] = [];
const folders: string[] = [];
after(async () => {
  for (const server of servers) {
    if (server.exitCode === null && server.signalCode === null) {
      process.kill(-server.pid!, "SIGKILL");
      await once(server, "exit");
    }
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A copy of the app served by `craft serve --reload` with `args`; its output, its address, and a wait that shows the output on failure. */
async function serveCopy(args: string[]) {
  const tmp = mkdtempSync(path.join(tmpdir(), "craft-reload-types-"));
  folders.push(tmp);
  for (const entry of ["app", "config", "routes", "resources", "craft.ts", "package.json", "tsconfig.json"]) cpSync(path.join(REPO, entry), path.join(tmp, entry), { recursive: true });
  // Only the app's own code: the framework is checked by the repository's typecheck.
  const tsconfig = JSON.parse(readFileSync(path.join(tmp, "tsconfig.json"), "utf8"));
  writeFileSync(path.join(tmp, "tsconfig.json"), JSON.stringify({ ...tsconfig, include: ["craft.ts", "config", "app", "routes"] }));
  symlinkSync(path.join(REPO, "node_modules"), path.join(tmp, "node_modules"));
  writeFileSync(path.join(tmp, ".env"), `APP_NAME=Typed\nAPP_ENV=development\nAPP_KEY=${generateKey()}\nSESSION_DRIVER=cookie\n`);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(APP_|SESSION_|REDIS_|NODE_TEST_CONTEXT$|npm_)/.test(name)) env[name] = value;
  const server = spawn(process.execPath, ["-r", "masonite/register", "craft.ts", "serve", "--reload", "--port", "0", ...args], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  servers.push(server);
  const copy = { tmp, output: "", base: "" };
  server.stdout!.on("data", (chunk: Buffer) => (copy.output += chunk.toString()));
  server.stderr!.on("data", (chunk: Buffer) => (copy.output += chunk.toString()));
  const until = async (what: string, check: () => Promise<boolean> | boolean) => {
    try {
      await waitFor(what, check, 90_000, 100);
    } catch (error) {
      assert.fail(`${(error as Error).message}; the server printed:\n${copy.output}`);
    }
  };
  await until("serving", () => /Typed is serving on (http:\/\/127\.0\.0\.1:\d+)/.test(copy.output));
  copy.base = /Typed is serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(copy.output)![1]!;
  const serves = (pattern: RegExp) => until(`a page matching ${pattern}`, async () => {
    try {
      return pattern.test(await (await fetch(`${copy.base}/`)).text());
    } catch {
      return false;
    }
  });
  return { copy, until, serves };
}

function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

test("npm run dev type-checks in the background: a type error is printed with file and line, the restart is not held up, and a fix is noticed", { timeout: 240_000 }, async () => {
  const { copy, until, serves } = await serveCopy([]);
  assert.match(copy.output, /craft: type-checking in the background \(tsc --watch\)/);
  const controller = path.join(copy.tmp, "app", "controllers", "WelcomeController.ts");
  const original = readFileSync(controller, "utf8");
  // Runs (SWC strips the annotation) but does not type-check.
  save(controller, `${original.replace('"world"', '"typo"')}\nexport const answer: number = "forty-two";\n`);
  await serves(/Hello, typo!/);
  await until("the type error", () => /app\/controllers\/WelcomeController\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./.test(copy.output));
  assert.match(copy.output, /craft: type errors \(tsc; the server restarted anyway\):\n/);
  assert.match(copy.output, /craft: 1 type error\./);
  save(controller, original);
  await until("the fix noticed", () => /craft: the type errors are fixed\./.test(copy.output));
  await serves(/Hello, world!/);
});

test("--no-typecheck serves without the type check", { timeout: 120_000 }, async () => {
  const { copy } = await serveCopy(["--no-typecheck"]);
  assert.doesNotMatch(copy.output, /type-checking in the background/);
});
