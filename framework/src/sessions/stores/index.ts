// The server-side stores, for tests and apps that build one directly; importing this loads ioredis.
export { FileStore, type FileStoreOptions } from "./file";
export { MemoryStore } from "./memory";
export { RedisStore, type RedisStoreOptions } from "./redis";
export { FileLocks, STALE_LOCK_MS, takeOverIfStale } from "./locks";
export { Deadlines, NoAnswer, type StopSignal } from "./deadlines";
export { DatabaseStore, type DatabaseStoreOptions } from "./database";
export type { Expiry, SqlDialect } from "./database/dialect";
export { databaseConnection, databaseDialect, sessionTable } from "./databaseOptions";
export { sessionTableSql, SESSION_COLUMNS, type SqlDialectName } from "./database/schema";
