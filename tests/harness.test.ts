import "./support/env";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";

/**
 * The test harness itself: a suite meeting a machine without redis-server skips each of its
 * tests with the reason (loudly), or fails them all under REQUIRE_REDIS=1 as CI wants. Run in
 * a child `node --test` whose PATH is an empty folder, so no redis-server can be found.
 */

const ROOT = path.resolve(__dirname, "..");
const FIXTURE = path.join("tests", "fixtures", "harness", "redis-skip.fixture.ts");
const NAMES = ["first test of the block", "second test of the block", "a test that starts its own Redis"];
const EMPTY_PATH = mkdtempSync(path.join(os.tmpdir(), "masonite-no-redis-"));
after(() => rmSync(EMPTY_PATH, { recursive: true, force: true }));

function runWithoutRedis(extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: EMPTY_PATH, ...extraEnv };
  delete env.REDIS_URL;
  delete env.NODE_TEST_CONTEXT; // the child is a test run of its own, reporting TAP to us
  if (!("REQUIRE_REDIS" in extraEnv)) delete env.REQUIRE_REDIS;
  const child = spawn(process.execPath, ["--test", "--test-reporter=tap", "-r", "masonite/register", FIXTURE], { cwd: ROOT, env });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the harness without redis-server", { timeout: 120_000 }, () => {
  test("every test skips with the reason, loudly, and the run passes", async () => {
    const { code, output } = await runWithoutRedis({});
    assert.equal(code, 0, output);
    for (const name of NAMES) {
      assert.match(output, new RegExp(`ok \\d+ - ${name} # SKIP redis-server not installed`), `${name} skipped with the reason:\n${output}`);
    }
    assert.match(output, /^# skipped 3$/m, output);
    assert.match(output, /^# fail 0$/m, output);
    assert.match(output, /!!! SKIPPED: redis-server not installed/, "the warning is loud");
  });

  test("REQUIRE_REDIS=1 turns each skip into a failure naming the variable", async () => {
    const { code, output } = await runWithoutRedis({ REQUIRE_REDIS: "1" });
    assert.notEqual(code, 0, output);
    assert.match(output, /^# pass 0$/m, output);
    assert.match(output, /^# skipped 0$/m, output);
    // The block's before hook fails, so node cancels its tests: each is "not ok" all the same.
    for (const name of NAMES) assert.match(output, new RegExp(`not ok \\d+ - ${name}\n`), `${name} failed:\n${output}`);
    assert.match(output, /redis-server not installed: .*; REQUIRE_REDIS=1 makes this a failure\./, output);
  });
});
