// Light on purpose: config/session.ts imports from here, and reading configuration must load
// no HTTP stack and no Redis client (stores are imported when chosen).
export { Session, type SessionOptions } from "./Session";
export { requireSession } from "./context";
import "./flashing";
export type { SessionData, SessionTypes, SessionSchema, ValueSchema, DeclaredKey, DeclareInSessionData, UndeclaredKey, SessionKey, CounterKey, SessionValue, SessionValues, Widened } from "./SessionData";
export { SessionManager, type SessionManagerOptions } from "./SessionManager";
export { SessionMiddleware } from "./SessionMiddleware";
export { SessionRegistry, type ActiveSession } from "./SessionRegistry";
export { summariseAgent, type SessionClient } from "./clients";
export { SessionProvider, type SessionHost } from "./SessionProvider";
export { VerifyCsrfToken } from "./VerifyCsrfToken";
export type { SessionStore, SessionRecord, StoredSession, WriteRecord, Awaitable, SessionPatch, SessionChanges, LoadedSession, OwnedSession, StoredData, SizeLimit, WriteOptions } from "./SessionStore";
export { SessionStoreUnavailable, SessionConflict } from "./errors";
export { CLIENT_KEY, CREATED_FIELD, FLASH_KEY, OLD_INPUT_KEY, RESERVED_PREFIX, TOKEN_KEY } from "./keys";
export { DEFAULT_DONT_FLASH, type FieldPattern } from "./oldInput";
export { createSessionManager, type SessionAppContext } from "./createSessionManager";
export { redisNodes } from "./stores/redisOptions";
export {
  defineDrivers,
  defineSchema,
  SESSION_DEFAULTS,
  type SessionConfig,
  type SessionDrivers,
  type CookieDriverConfig,
  type RedisDriverConfig,
  type FileDriverConfig,
  type MemoryDriverConfig,
  type DatabaseDriverConfig,
  type CustomDriverConfig,
  type StoreFactory,
  type StoreContext,
} from "./config";
export { CookieStore } from "./stores/cookie";
export type { RedisStore } from "./stores/redis";
export type { FileStore } from "./stores/file";
export type { MemoryStore } from "./stores/memory";
export type { DatabaseStore } from "./stores/database";
export { serializeCookie, type CookieOptions, type CookieWrite } from "./cookies";
