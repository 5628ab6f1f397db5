// Imported first by every test file: settles the environment before config/*.ts is read.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKey } from "masonite/security";
import { captureLogs } from "masonite/testing";

process.env.APP_ENV = "testing";
process.env.APP_DEBUG = "false";
process.env.APP_KEY ??= generateKey();
process.env.LOG_LEVEL ??= "warn";
// Tests keep their sessions apart from the development ones, even on the same Redis.
process.env.SESSION_NAMESPACE ??= "masonite4-test";
// ... and on the file driver: each test process gets a folder of its own, gone when it exits,
// so a run never sees the sessions of a previous one, and leaves storage/ as it found it.
if (!process.env.SESSION_DIRECTORY) {
  const folder = mkdtempSync(path.join(os.tmpdir(), "masonite-test-sessions-"));
  process.env.SESSION_DIRECTORY = folder;
  process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
}
// The app's log lines (a deliberate 503, a refused cookie) appear only under a failing test.
captureLogs();
