import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { createCraft } from "masonite/commands";
import type { Kernel } from "masonite/foundation";
import type { DatabaseDriverConfig } from "masonite/sessions";
import { kernel } from "../../../app/Kernel";

const folder = mkdtempSync(path.join(os.tmpdir(), "masonite-session-table-"));
after(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `craft session:table ...args` on the skeleton's Kernel with `database` as its database block; answers what it printed. */
async function sessionTable(database: DatabaseDriverConfig, ...args: string[]): Promise<string> {
  const session = kernel.config.session;
  const configured: Kernel = { ...kernel, config: { ...kernel.config, session: { ...session, DRIVERS: { ...session.DRIVERS, database } } } };
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(" "));
  try {
    await createCraft({ root: folder, kernel: async () => configured }).exitOverride().parseAsync(["session:table", ...args], { from: "user" });
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

describe("craft session:table", () => {
  test("prints the table and its indexes for the dialect DATABASE_URL's scheme names, under the configured table name", async () => {
    const postgres = await sessionTable({ url: "postgres://app@db.internal:5432/shop" });
    assert.match(postgres, /^CREATE TABLE IF NOT EXISTS sessions \(\n  id CHAR\(64\) PRIMARY KEY,/);
    assert.match(postgres, /data JSONB NOT NULL/);
    assert.match(postgres, /CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions \(expires_at\);/);
    assert.match(postgres, /CREATE INDEX IF NOT EXISTS sessions_owner ON sessions \(owner\);/);
    for (const url of ["mysql://root@localhost/shop", "mariadb://root@localhost/shop"]) {
      const mysql = await sessionTable({ url, table: "web_sessions" });
      assert.match(mysql, /CREATE TABLE IF NOT EXISTS web_sessions \(/);
      assert.match(mysql, /data JSON NOT NULL/);
      assert.match(mysql, /INDEX web_sessions_expires_at \(expires_at\)/);
    }
    assert.match(await sessionTable({ url: "sqlite:storage/sessions.db" }), /data TEXT NOT NULL/);
  });

  test("--dialect picks the dialect without a DATABASE_URL; --out writes the statements to a file", async () => {
    assert.match(await sessionTable({}, "--dialect", "sqlite"), /created_at INTEGER NOT NULL/);
    const file = path.join(folder, "create_sessions.sql");
    assert.match(await sessionTable({ dialect: "postgres", database: "shop" }, "--out", file), /Wrote the session table's statements to/);
    assert.match(readFileSync(file, "utf8"), /JSONB[\s\S]*CREATE INDEX IF NOT EXISTS sessions_owner/);
  });

  test("without a database it says how to name one; a bad table name or URL scheme names config/session.ts", async () => {
    await assert.rejects(sessionTable({}), /set DATABASE_URL .*or pass --dialect/);
    await assert.rejects(sessionTable({ url: "postgres://app@db/shop", table: "sessions; DROP TABLE users" }), /config\/session\.ts: DRIVERS\.database\.table must be a plain table name/);
    await assert.rejects(sessionTable({ url: "oracle://db/shop" }), /config\/session\.ts: DRIVERS\.database\.url \(DATABASE_URL\) must start with postgres:\/\//);
  });
});
