import "./support/env";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { generateKey } from "masonite/security";
import { appPackageJson } from "masonite/commands";

const REPO = path.resolve(__dirname, "..");
const DEADLINE_MS = 15_000;

/** Polls `check` until it returns a value, failing with `what` and the server's output past the deadline. */
async function eventually<T>(what: string, output: () => string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${DEADLINE_MS} ms; the server printed:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Saves the way `sed -i` and many editors do: a new file in the same folder (named as sed
 * names it), renamed over the old one. The pause between the two is longer than the debounce,
 * as for a slow writer, so the temporary file is seen on its own.
 */
async function saveByRename(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `sed${Math.random().toString(36).slice(2, 8)}`);
  writeFileSync(temporary, text);
  await new Promise((resolve) => setTimeout(resolve, 150));
  renameSync(temporary, file);
}

describe("craft serve --reload on a copy of the app", () => {
  let tmp: string;
  let server: ChildProcess;
  let output = "";
  let base = "";
  const controller = () => path.join(tmp, "app", "controllers", "WelcomeController.ts");
  let original = "";

  const page = async (): Promise<{ status: number; type: string; body: string } | undefined> => {
    try {
      const response = await fetch(`${base}/`);
      return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
    } catch {
      return undefined; // between two servers nothing listens for a moment
    }
  };
  const serving = (pattern: RegExp) => eventually(`a page matching ${pattern}`, () => output, async () => {
    const seen = await page();
    return seen && pattern.test(seen.body) ? seen : undefined;
  });
  const printed = (pattern: RegExp) => eventually(`output matching ${pattern}`, () => output, () => (pattern.test(output) ? true : undefined));

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "craft-reload-"));
    for (const entry of ["app", "config", "routes", "resources", "craft.ts", "package.json", "tsconfig.json"]) {
      cpSync(path.join(REPO, entry), path.join(tmp, entry), { recursive: true });
    }
    symlinkSync(path.join(REPO, "node_modules"), path.join(tmp, "node_modules"));
    writeFileSync(path.join(tmp, ".env"), `APP_NAME=Reloadable\nAPP_ENV=development\nAPP_KEY=${generateKey()}\nSESSION_DRIVER=cookie\n`);
    original = readFileSync(controller(), "utf8");
    // A developer's shell: none of this test run's APP_/SESSION_ settings; RUST_BACKTRACE makes swc append its native backtrace.
    const env: NodeJS.ProcessEnv = { RUST_BACKTRACE: "1" };
    for (const [name, value] of Object.entries(process.env)) {
      if (!/^(APP_|SESSION_|REDIS_|NODE_TEST_CONTEXT$|npm_)/.test(name)) env[name] = value;
    }
    server = spawn(process.execPath, ["-r", "masonite/register", "craft.ts", "serve", "--reload", "--port", "0"], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const port = await eventually("serving", () => output, () => /Reloadable is serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    base = `http://127.0.0.1:${port}`;
    await serving(/Hello, world!/);
  });

  after(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      process.kill(-server.pid!, "SIGKILL");
      await once(server, "exit");
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  test("a controller saved by rename twice: both edits are served, each restart named on one line", async () => {
    await saveByRename(controller(), original.replace('"world"', '"planet"'));
    await serving(/Hello, planet!/);
    await saveByRename(controller(), original.replace('"world"', '"moon"'));
    await serving(/Hello, moon!/);
    assert.equal(output.match(/^craft: app\/controllers\/WelcomeController\.ts changed, restarting$/gm)?.length, 2, output);
    assert.doesNotMatch(output, /finishing in-flight requests|^Stopped:/m, "a restart is one line, not the shutdown story");
    assert.doesNotMatch(output, /sed\w+ changed/, "the temporary file of a save is not a change of its own");
  });

  test("a template edit is served without a restart", async () => {
    const template = path.join(tmp, "resources", "templates", "welcome.html");
    const restarts = output.match(/changed, restarting/g)?.length;
    await saveByRename(template, readFileSync(template, "utf8").replace("<h1>", "<h1>Edited: "));
    await serving(/Edited: /);
    // The next restart's line comes after any the template could have caused (the debounce is 100 ms).
    await saveByRename(path.join(tmp, ".env"), readFileSync(path.join(tmp, ".env"), "utf8").replace("APP_NAME=Reloadable", "APP_NAME=Renamed"));
    await printed(/^craft: \.env changed, restarting$/m);
    assert.equal(output.match(/changed, restarting/g)?.length, restarts! + 1, output);
  });

  test("an edited .env restarts the server, which reads the new values on the same port", async () => {
    await printed(new RegExp(`Renamed is serving on ${base.replace(/\./g, "\\.")}`));
  });

  test("a syntax error is answered by an error page with the compiler's code frame, and fixing it brings the app back", async () => {
    await saveByRename(controller(), `${original}export const broken = {;\n`);
    const error = await eventually("the error page", () => output, async () => {
      const seen = await page();
      return seen?.status === 500 ? seen : undefined;
    });
    assert.match(error.type, /^text\/html/);
    assert.match(error.body, /Unexpected token/);
    assert.match(error.body, /WelcomeController\.ts:\d+:\d+\]/);
    assert.match(error.body, /\d+ \| export const broken = \{;/);
    assert.doesNotMatch(error.body, /Stack backtrace|_ZN/, "no native backtrace");
    await saveByRename(controller(), original);
    const fixed = await serving(/Hello, world!/);
    assert.equal(fixed.status, 200);
  });

  test("SIGTERM stops the supervisor and its server", async () => {
    server.kill("SIGTERM");
    const [code] = await once(server, "exit");
    assert.equal(code, 0, output);
  });
});

test("npm run dev serves with reload, here and in the apps craft new makes", () => {
  const repository = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8"));
  assert.match(repository.scripts.dev ?? "", /craft\.ts serve --reload$/);
  assert.equal(appPackageJson(repository).scripts?.dev, repository.scripts.dev);
});
