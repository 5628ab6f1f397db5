import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sessionTableSql, type SqlDialectName } from "masonite/sessions/stores";
import { unavailable, type Skippable } from "./skip";

/** A database of the test run's own, on a real server (or a temporary SQLite file), dropped by `drop()`. */
export interface TestDatabase {
  dialect: SqlDialectName;
  /** DATABASE_URL for the app. */
  url: string;
  /** Runs one statement on it, answering its rows. */
  query(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

const ADMIN_URLS: Record<Exclude<SqlDialectName, "sqlite">, { variable: string; url: string }> = {
  postgres: { variable: "DATABASE_URL", url: "postgres://postgres@127.0.0.1:5432/postgres" },
  mysql: { variable: "MYSQL_URL", url: "mysql://root@127.0.0.1:3306/" },
};

/**
 * A fresh database named `masonite_test_<random>` on the server DATABASE_URL (PostgreSQL) or
 * MYSQL_URL (MySQL/MariaDB) points at, or this machine's default one, with the sessions table
 * made from `craft session:table`'s statements unless `table` is false. Undefined (a loud skip,
 * a failure under REQUIRE_DATABASE=1) when no server answers.
 */
export async function createDatabase(dialect: SqlDialectName, t: Skippable, { table = true }: { table?: boolean } = {}): Promise<TestDatabase | undefined> {
  const name = `masonite_test_${randomBytes(6).toString("hex")}`;
  let database: TestDatabase;
  if (dialect === "sqlite") {
    const folder = mkdtempSync(path.join(os.tmpdir(), "masonite-sqlite-"));
    const file = path.join(folder, "sessions.db");
    const Sqlite = require("better-sqlite3") as typeof import("better-sqlite3");
    const db = new Sqlite(file);
    database = {
      dialect,
      url: `sqlite:${file}`,
      query: async (sql, values = []) => (/^\s*select/i.test(sql) ? (db.prepare(sql).all(...values) as Record<string, unknown>[]) : (db.prepare(sql).run(...values), [])),
      drop: async () => {
        db.close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  } else {
    const { variable, url: fallback } = ADMIN_URLS[dialect];
    const adminUrl = process.env[variable] || fallback;
    const server = dialect === "postgres" ? "PostgreSQL" : "MySQL/MariaDB";
    try {
      database = dialect === "postgres" ? await postgres(adminUrl, name) : await mysql(adminUrl, name);
    } catch (error) {
      unavailable(t, `no ${server} answers at ${new URL(adminUrl).host} (${(error as Error).message}): start one, or point ${variable} at one this test may create databases on`, "REQUIRE_DATABASE");
      return undefined;
    }
  }
  if (table) for (const statement of sessionTableSql(dialect, "sessions")) await database.query(statement);
  return database;
}

async function postgres(adminUrl: string, name: string): Promise<TestDatabase> {
  const { Client } = require("pg") as typeof import("pg");
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.href });
  await client.connect();
  return {
    dialect: "postgres",
    url: url.href,
    query: async (sql, values) => (await client.query(sql, values)).rows as Record<string, unknown>[],
    drop: async () => {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function mysql(adminUrl: string, name: string): Promise<TestDatabase> {
  const { createConnection } = require("mysql2/promise") as typeof import("mysql2/promise");
  const admin = await createConnection({ uri: adminUrl, connectTimeout: 3000 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = await createConnection({ uri: url.href });
  return {
    dialect: "mysql",
    url: url.href,
    query: async (sql, values) => {
      const [rows] = await client.query(sql, values);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    drop: async () => {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}
