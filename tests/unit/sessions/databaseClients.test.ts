import assert from "node:assert/strict";
import Module from "node:module";
import { after, before, test } from "node:test";
import { ConfigurationError, Logger } from "masonite/core";
import { generateKey } from "masonite/security";
import { createSessionManager } from "masonite/sessions";

/**
 * The database driver with its dialect's client package not installed: start-up stops with the
 * npm install to run and the setting that picked the dialect. The packages are hidden from this
 * test process's require, as Node answers for a package that is not in node_modules; this file
 * loads none of them otherwise, so no cached copy answers instead. Then better-sqlite3 installed
 * without its compiled part (the module that finds it hidden): start-up names npm rebuild.
 */
const CLIENTS = ["pg", "mysql2/promise", "better-sqlite3"];
let hidden = new Set(CLIENTS);
const APP = { key: generateKey(), previousKeys: [], appUrl: "http://localhost", root: process.cwd(), environment: "testing" as const, logger: Logger.silent() };

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolve = loader._resolveFilename;
before(() => {
  loader._resolveFilename = function (request, ...rest) {
    if (hidden.has(request)) throw Object.assign(new Error(`Cannot find module '${request}'`), { code: "MODULE_NOT_FOUND" });
    return resolve.call(this, request, ...rest);
  };
});
after(() => {
  loader._resolveFilename = resolve;
});

for (const [url, pkg, server] of [
  ["postgres://postgres@127.0.0.1:5432/app", "pg", "PostgreSQL"],
  ["mysql://root@127.0.0.1:3306/app", "mysql2", "MySQL/MariaDB"],
  ["sqlite:storage/sessions.db", "better-sqlite3", "SQLite"],
] as const) {
  test(`SESSION_DRIVER=database with ${url.split(":")[0]}: and no ${pkg} installed stops start-up naming "npm install ${pkg}"`, async () => {
    await assert.rejects(createSessionManager({ DRIVERS: { default: "database", database: { url } } }, APP), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.equal(error.code, "E_SESSION_CLIENT_MISSING");
      assert.match(error.message, new RegExp(`needs the package "${pkg}" for ${server.replace("/", "\\/")}`));
      assert.match(error.message, new RegExp(`npm install ${pkg}"`));
      assert.match(error.message, /DATABASE_URL or DRIVERS\.database in config\/session\.ts/);
      return true;
    });
  });
}

test("better-sqlite3 installed but its compiled part not loading stops start-up naming \"npm rebuild better-sqlite3\", not an unreachable database", async () => {
  hidden = new Set(["bindings"]);
  await assert.rejects(createSessionManager({ DRIVERS: { default: "database", database: { url: "sqlite:storage/sessions.db" } } }, APP), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.equal(error.code, "E_SESSION_CLIENT_BROKEN");
    assert.match(error.message, /"better-sqlite3" is installed, but its compiled part does not load in this Node v\d+\.\d+\.\d+ \(Cannot find module 'bindings'\): rebuild it with "npm rebuild better-sqlite3"/);
    assert.match(error.message, /DRIVERS\.database in config\/session\.ts/);
    return true;
  });
});
