import "./support/env";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { TestClient } from "masonite/testing";
import { kernel } from "../app/Kernel";

const REPO = path.resolve(__dirname, "..");
const STORAGE = path.join(REPO, "storage", "framework", "sessions");

test("the file driver's sessions of a test process go to a folder of its own, removed when it exits; storage/ is left as it was", async () => {
  const folder = process.env.SESSION_DIRECTORY!;
  assert.ok(folder.startsWith(path.join(os.tmpdir(), "masonite-test-sessions-")), folder);
  const before = readdirSync(STORAGE);
  const file = { ...kernel, config: { ...kernel.config, session: { ...kernel.config.session, DRIVERS: { ...kernel.config.session.DRIVERS, default: "file" as const } } } };
  assert.equal(file.config.session.DRIVERS.file.directory, folder, "config/session.ts reads SESSION_DIRECTORY");
  const app = await TestClient.start(file);
  try {
    (await app.post("/contact", { name: "Ada", email: "ada@example.com", message: "hello" })).assertRedirect();
    assert.ok(readdirSync(folder).length > 0, "the session was written to the test's folder");
  } finally {
    await app.close();
  }
  assert.deepEqual(readdirSync(STORAGE), before, "nothing written to storage/framework/sessions");

  // Another test process gets another folder, gone once it has exited.
  const other = execFileSync(process.execPath, ["-r", "masonite/register", "-e", 'require("./tests/support/env"); console.log(process.env.SESSION_DIRECTORY)'], { cwd: REPO, env: { ...process.env, SESSION_DIRECTORY: "" }, encoding: "utf8" }).trim();
  assert.notEqual(other, folder);
  assert.match(other, /masonite-test-sessions-/);
  assert.ok(!existsSync(other), `${other} was removed when its process exited`);
});
