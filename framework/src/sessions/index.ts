export { Session, sessionOf, type SessionOptions } from "./Session";
export { SessionMiddleware, SESSION_DRIVER, SESSION_OPTIONS } from "./SessionMiddleware";
export type { SessionDriver, SessionChanges, LoadedSession, SessionData, SizeLimit } from "./SessionDriver";
export { CREATED_FIELD, FLASH_KEY, OLD_INPUT_KEY, RESERVED_PREFIX, TOKEN_KEY } from "./keys";
export { DEFAULT_DONT_FLASH, type FieldPattern } from "./oldInput";
export { createDriver, sessionOptions, redisNodes, type SessionConfig, type CookieDriverConfig, type RedisDriverConfig, type DriverFactory, type DriverContext } from "./config";
export { CookieDriver } from "./drivers/cookie";
export { RedisDriver, SessionStoreUnavailable } from "./drivers/redis";
export { sessionGlobals } from "./globals";
