import { ConfigurationError } from "../../../core/errors";
import type { SqlDialectName } from "./schema";

const SERVERS: Record<SqlDialectName, string> = { postgres: "PostgreSQL", mysql: "MySQL/MariaDB", sqlite: "SQLite" };

/**
 * A dialect's client package, loaded only when the database driver picks that dialect: the
 * framework lists them as optional peer dependencies, so an app installs only the one it uses.
 */
export function loadClient<T>(name: "pg" | "mysql2/promise" | "better-sqlite3", dialect: SqlDialectName): T {
  try {
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    const pkg = name.split("/")[0];
    throw new ConfigurationError(
      "E_SESSION_CLIENT_MISSING",
      `The database session driver needs the package "${pkg}" for ${SERVERS[dialect]} (DATABASE_URL or DRIVERS.database in config/session.ts): install it with "npm install ${pkg}".`,
      error,
    );
  }
}
