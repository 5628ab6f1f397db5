/** The SQL servers the database session driver speaks to; MariaDB is spoken to as MySQL. */
export type SqlDialectName = "postgres" | "mysql" | "sqlite";

/** The columns the store reads and writes; start-up refuses a table that lacks one. */
export const SESSION_COLUMNS = ["id", "sealed_id", "data", "created_at", "expires_at", "owner"] as const;

/** A table name every dialect's statements can hold as it is, unquoted: letters, digits and _. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

const indexName = (table: string, column: string) => `${table}_${column}`;

/**
 * The table and its indexes for `dialect`, as `craft session:table` prints them. The key is an
 * HMAC of the session id (64 hex digits, so a case-insensitive collation cannot merge two),
 * `sealed_id` the id encrypted for listing an owner's sessions, both times epoch milliseconds
 * (the app's clock, as every other store uses), `owner` an HMAC of the owner.
 */
export function sessionTableSql(dialect: SqlDialectName, table: string): string[] {
  const indexes = (["expires_at", "owner"] as const).map((column) => `CREATE INDEX IF NOT EXISTS ${indexName(table, column)} ON ${table} (${column})`);
  switch (dialect) {
    case "postgres":
      return [
        `CREATE TABLE IF NOT EXISTS ${table} (\n  id CHAR(64) PRIMARY KEY,\n  sealed_id VARCHAR(100) NOT NULL,\n  data JSONB NOT NULL,\n  created_at BIGINT NOT NULL,\n  expires_at BIGINT NOT NULL,\n  owner CHAR(64)\n)`,
        ...indexes,
      ];
    case "mysql":
      // Indexes inline: MySQL has no CREATE INDEX IF NOT EXISTS. MariaDB keeps JSON as LONGTEXT with a validity check.
      return [
        `CREATE TABLE IF NOT EXISTS ${table} (\n  id CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,\n  sealed_id VARCHAR(100) CHARACTER SET ascii NOT NULL,\n  data JSON NOT NULL,\n  created_at BIGINT NOT NULL,\n  expires_at BIGINT NOT NULL,\n  owner CHAR(64) CHARACTER SET ascii NULL,\n  INDEX ${indexName(table, "expires_at")} (expires_at),\n  INDEX ${indexName(table, "owner")} (owner)\n)`,
      ];
    case "sqlite":
      return [
        `CREATE TABLE IF NOT EXISTS ${table} (\n  id TEXT PRIMARY KEY,\n  sealed_id TEXT NOT NULL,\n  data TEXT NOT NULL,\n  created_at INTEGER NOT NULL,\n  expires_at INTEGER NOT NULL,\n  owner TEXT\n)`,
        ...indexes,
      ];
  }
}
