import { writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigurationError } from "../core/errors";
import type { Kernel } from "../foundation/Application";
import type { DatabaseDriverConfig, SessionConfig } from "../sessions/config";
import { sessionTableSql, type SqlDialectName } from "../sessions/stores/database/schema";
import { databaseConnection, sessionTable } from "../sessions/stores/databaseOptions";

export const SQL_DIALECTS: readonly SqlDialectName[] = ["postgres", "mysql", "sqlite"];

/**
 * `craft session:table`: the CREATE TABLE and CREATE INDEX statements of the database session
 * driver's table, for the dialect DATABASE_URL (or DRIVERS.database.dialect) names unless
 * `dialect` says otherwise, and the table DRIVERS.database.table names. No client is loaded and
 * nothing connects: the statements are for the app's migrations or a database console.
 */
export function sessionTableStatements(kernel: Kernel, root: string, dialect?: SqlDialectName): string {
  const block = ((kernel.config.session as SessionConfig | undefined)?.DRIVERS?.database ?? {}) as DatabaseDriverConfig;
  if (!dialect && !block.url && !block.dialect) {
    throw new ConfigurationError(
      "E_BAD_SESSION_CONFIG",
      'craft session:table needs to know the database: set DATABASE_URL (postgres://..., mysql://... or sqlite:path.db; DRIVERS.database in config/session.ts), or pass --dialect postgres, mysql or sqlite.',
    );
  }
  const chosen = dialect ?? databaseConnection(block, root).dialect;
  return `${sessionTableSql(chosen, sessionTable(block)).map((statement) => `${statement};`).join("\n\n")}\n`;
}

/** Writes the statements to `file` (relative to the working directory); answers what to print. */
export function writeSessionTable(statements: string, file: string): string {
  const target = path.resolve(file);
  writeFileSync(target, statements);
  return `Wrote the session table's statements to ${target}.`;
}
