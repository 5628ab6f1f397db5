import "./support/env";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { test } from "node:test";
import { redisToolsOrSkip } from "./support/redis";

/** `npm run test:soak -- --quick`: the reliability soak in its short form (the full one runs for minutes). */
test("the reliability soak, --quick: faults in turn under a mixed load, every invariant holds", { timeout: 300_000 }, async (t) => {
  if (!redisToolsOrSkip(t, ["redis-server"])) return;
  const child = spawn(process.execPath, ["-r", "masonite/register", path.join("tests", "soak.ts"), "--quick"], {
    cwd: path.resolve(__dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGTERM"); // the soak takes its Redis and app down with it
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  for (const line of output.split("\n")) if (line.startsWith("[soak]")) t.diagnostic(line);
  assert.equal(code, 0, output.slice(-4000));
  assert.match(output, /\[soak\] all invariants held/);
});
