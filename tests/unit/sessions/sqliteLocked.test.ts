import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { Logger } from "masonite/core";
import { databaseDialect, sessionTableSql } from "masonite/sessions/stores";

/**
 * The SQLite dialect while another connection holds the file's write lock: it waits between
 * timers (the process keeps running), gives up with SQLite's own words at the statement
 * timeout, and never runs a statement its caller stopped waiting for.
 */
const folder = mkdtempSync(path.join(os.tmpdir(), "masonite-sqlite-locked-"));
after(() => rmSync(folder, { recursive: true, force: true }));
const file = path.join(folder, "sessions.db");
const Sqlite = require("better-sqlite3") as typeof import("better-sqlite3");
const holder = new Sqlite(file);
for (const statement of sessionTableSql("sqlite", "sessions")) holder.exec(statement);
after(() => holder.close());

const row = (id: string) => ({ id: id.padStart(64, "0"), sealedId: "-", data: {}, json: "{}", createdAt: 1, expiresAt: Date.now() + 60_000, owner: null });
const stored = (id: string) => holder.prepare("SELECT id FROM sessions WHERE id = ?").all(id.padStart(64, "0")).length;

async function dialect(statementTimeout: number) {
  const { dialect: sqlite } = databaseDialect({ url: `sqlite:${file}`, statementTimeout }, process.cwd(), Logger.silent());
  await sqlite.connect();
  after(() => sqlite.close());
  return sqlite;
}

test("a statement on a locked file fails with \"database is locked\" at the statement timeout, and the event loop turns meanwhile", async () => {
  const sqlite = await dialect(400);
  holder.exec("BEGIN EXCLUSIVE");
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 20);
  const started = performance.now();
  try {
    await assert.rejects(sqlite.write(row("1"), false, Date.now()), /database is locked/);
  } finally {
    clearInterval(ticker);
    holder.exec("COMMIT");
  }
  const took = performance.now() - started;
  assert.ok(took >= 300 && took < 1000, `gave up after ${took.toFixed(0)} ms`);
  assert.ok(ticks >= 5, `the event loop turned ${ticks} times while the statement waited`);
  assert.equal(await sqlite.write(row("1"), false, Date.now()), true, "written once the lock is gone");
  assert.equal(stored("1"), 1);
});

test("a statement whose caller stopped waiting is never run, even when the lock is released within its timeout", async () => {
  const sqlite = await dialect(5000);
  holder.exec("BEGIN EXCLUSIVE");
  const stop = new AbortController();
  const pending = sqlite.write(row("2"), false, Date.now(), stop.signal);
  setTimeout(() => stop.abort(), 100);
  try {
    await assert.rejects(pending, /stopped waiting; the statement was not run/);
  } finally {
    holder.exec("COMMIT");
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(stored("2"), 0, "nothing written after the caller gave up");
});

test("a lock released within the timeout: the statement runs", async () => {
  const sqlite = await dialect(5000);
  holder.exec("BEGIN EXCLUSIVE");
  setTimeout(() => holder.exec("COMMIT"), 150);
  assert.equal(await sqlite.write(row("3"), false, Date.now()), true);
  assert.equal(stored("3"), 1);
});
