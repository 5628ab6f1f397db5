import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { isServiceOutage } from "masonite/commands";
import { ConfigurationError, Logger } from "masonite/core";
import { FileStore } from "masonite/sessions/stores";

/** What `craft serve --reload` waits out (a service down) and what it stops on at once (the app's own configuration). */
const folder = mkdtempSync(path.join(os.tmpdir(), "masonite-reload-"));
after(() => rmSync(folder, { recursive: true, force: true }));

test("an unreachable service, even as a cause further down, is an outage to wait out", () => {
  const down = new ConfigurationError("E_SESSION_STORE_UNREACHABLE", "Redis at 127.0.0.1:1 did not answer.");
  assert.equal(isServiceOutage(down), true);
  assert.equal(isServiceOutage(new Error("Start-up failed.", { cause: down })), true);
  assert.equal(isServiceOutage(new Error("Anything else.")), false);
  assert.equal(isServiceOutage("not an error"), false);
});

test("a file session folder that cannot be used is the app's configuration, no outage: --reload stops on it instead of retrying", async () => {
  // A file where the folder should be: unusable whoever runs the test (root included).
  const notAFolder = path.join(folder, "sessions");
  writeFileSync(notAFolder, "");
  chmodSync(notAFolder, 0o600);
  const store = new FileStore({ directory: notAFolder, timeout: 60, key: randomBytes(32), logger: Logger.silent() });
  const failure = await store.connect().then(() => undefined, (error: unknown) => error);
  assert.ok(failure instanceof ConfigurationError, "connect refused the folder");
  assert.equal(failure.code, "E_SESSION_DIRECTORY_UNUSABLE");
  assert.match(failure.message, /SESSION_DIRECTORY/);
  assert.equal(isServiceOutage(failure), false);
  await store.close();
});
