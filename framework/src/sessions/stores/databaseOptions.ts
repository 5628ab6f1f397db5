import path from "node:path";
import { ConfigurationError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type { DatabaseDriverConfig } from "../config";
import { SESSION_DEFAULTS } from "../config";
import { duration, positiveWhole } from "../configChecks";
import type { SqlDialect } from "./database/dialect";
import { TABLE_NAME, type SqlDialectName } from "./database/schema";

/** The URL schemes DATABASE_URL may use, and the dialect each picks. */
const SCHEMES: Record<string, SqlDialectName> = { "postgres:": "postgres", "postgresql:": "postgres", "mysql:": "mysql", "mariadb:": "mysql", "sqlite:": "sqlite" };
const DEFAULT_PORTS: Record<SqlDialectName, number> = { postgres: 5432, mysql: 3306, sqlite: 0 };

function refuse(message: string): never {
  throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${message}`);
}

/** Where the database is, as the database block says: its dialect and connection, checked. */
export interface DatabaseConnection {
  dialect: SqlDialectName;
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  /** The database's name; SQLite's file, absolute. */
  database: string;
}

/** The connection DATABASE_URL (or host/port/user/password/database and dialect) describes; anything malformed stops start-up. */
export function databaseConnection(config: DatabaseDriverConfig, root: string): DatabaseConnection {
  if (config.url) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(config.url)?.[0].toLowerCase();
    const dialect = scheme && SCHEMES[scheme];
    if (!dialect) refuse(`DRIVERS.database.url (DATABASE_URL) must start with postgres://, postgresql://, mysql://, mariadb:// or sqlite:, got "${config.url.split(":")[0]}:..."; fix DATABASE_URL or set it empty and use host/port/user/password/database with dialect.`);
    if (dialect === "sqlite") {
      const file = config.url.slice(scheme.length).replace(/^\/\/(?=\/)/, "");
      if (!file) refuse('DRIVERS.database.url (DATABASE_URL) "sqlite:" names no file: use sqlite:storage/sessions.db (relative to the app) or sqlite:/absolute/path.db.');
      return { dialect, host: "", port: 0, user: undefined, password: undefined, database: path.resolve(root, file) };
    }
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      refuse("DRIVERS.database.url (DATABASE_URL) is not a valid URL: use the form postgres://user:password@host:5432/database.");
    }
    const database = decodeURIComponent(url.pathname.slice(1));
    if (!url.hostname || !database) refuse("DRIVERS.database.url (DATABASE_URL) must name a host and a database: postgres://user:password@host:5432/database.");
    return { dialect, host: url.hostname, port: url.port ? Number(url.port) : DEFAULT_PORTS[dialect], user: decodeURIComponent(url.username) || undefined, password: decodeURIComponent(url.password) || undefined, database };
  }
  const { dialect } = config;
  if (dialect !== "postgres" && dialect !== "mysql" && dialect !== "sqlite") refuse(`DRIVERS.database needs DATABASE_URL (url), or a dialect ("postgres", "mysql" or "sqlite") with host/port/user/password/database; got dialect ${JSON.stringify(dialect)}.`);
  if (typeof config.database !== "string" || !config.database) refuse(`DRIVERS.database.database must name the database${dialect === "sqlite" ? " file (relative to the app)" : ""}, or set DATABASE_URL.`);
  if (dialect === "sqlite") return { dialect, host: "", port: 0, user: undefined, password: undefined, database: path.resolve(root, config.database) };
  const port = config.port ?? DEFAULT_PORTS[dialect];
  if (!Number.isInteger(port) || port <= 0 || port > 65535) refuse(`DRIVERS.database.port must be a port number, got ${JSON.stringify(config.port)}.`);
  return { dialect, host: config.host || "127.0.0.1", port, user: config.user || undefined, password: config.password || undefined, database: config.database };
}

/** The block's table name, checked: it goes into statements as it is. */
export function sessionTable(config: DatabaseDriverConfig): string {
  const table = config.table ?? SESSION_DEFAULTS.databaseTable;
  if (typeof table !== "string" || !TABLE_NAME.test(table)) refuse(`DRIVERS.database.table must be a plain table name (letters, digits and _, up to 51 characters), got ${JSON.stringify(table)}.`);
  return table;
}

/** The dialect for the block, its client loaded now (a missing one stops start-up with the npm install to run). */
export function databaseDialect(config: DatabaseDriverConfig, root: string, logger: Logger): { dialect: SqlDialect; table: string; statementTimeout: number } {
  const connection = databaseConnection(config, root);
  const table = sessionTable(config);
  const pool = positiveWhole(config.pool, "DRIVERS.database.pool", "connections") ?? SESSION_DEFAULTS.databasePool;
  const statementTimeout = duration(config.statementTimeout, "DRIVERS.database.statementTimeout", "milliseconds") ?? SESSION_DEFAULTS.databaseStatementTimeout;
  const { host, port, user, password, database } = connection;
  const where = `${connection.dialect === "postgres" ? "PostgreSQL" : "MySQL/MariaDB"} at ${host}:${port}/${database}`;
  let dialect: SqlDialect;
  if (connection.dialect === "postgres") {
    const { PostgresDialect } = require("./database/postgres") as typeof import("./database/postgres");
    dialect = new PostgresDialect({ connection: { host, port, user, password, database }, table, pool, statementTimeout, where });
  } else if (connection.dialect === "mysql") {
    const { MysqlDialect } = require("./database/mysql") as typeof import("./database/mysql");
    dialect = new MysqlDialect({ connection: { host, port, user, password, database }, table, pool, statementTimeout, where });
  } else {
    if (config.pool !== undefined) logger.debug("database session store: DRIVERS.database.pool has no effect on SQLite, which the process reads through one connection");
    const { SqliteDialect } = require("./database/sqlite") as typeof import("./database/sqlite");
    dialect = new SqliteDialect({ file: database, table, statementTimeout });
  }
  return { dialect, table, statementTimeout };
}
