export { Session, sessionOf } from "./Session";
export { SessionMiddleware, SESSION_DRIVER } from "./SessionMiddleware";
export type { SessionDriver, SessionChanges, LoadedSession, SessionData } from "./SessionDriver";
export { createDriver, redisNodes, type SessionConfig, type CookieDriverConfig, type RedisDriverConfig, type DriverFactory, type DriverContext } from "./config";
export { CookieDriver } from "./drivers/cookie";
export { RedisDriver, SessionStoreUnavailable } from "./drivers/redis";
export { sessionGlobals } from "./globals";
