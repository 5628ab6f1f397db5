import assert from "node:assert/strict";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { watchTypes } from "masonite/commands";

test("a tsc that cannot be started is reported as type checking off, and throws nothing at the supervisor", async () => {
  // TypeScript resolves from the project above, but the app's directory is gone: the spawn fails.
  const root = path.resolve(__dirname, "../../../no-such-app-directory");
  const printed: string[] = [];
  const child = watchTypes(root, (text) => void printed.push(text));
  assert.ok(child, "TypeScript was found, so a child was spawned");
  // No listener of the test's own: without the module's, the spawn's "error" is thrown and fails this file.
  for (const started = Date.now(); printed.length < 2 && Date.now() - started < 20_000; ) await sleep(20);
  assert.equal(printed.length, 2, printed.join("\n"));
  assert.match(printed[1]!, /^craft: type checking is off while serving: tsc could not be started \(.*ENOENT.*\)\.$/);
});
