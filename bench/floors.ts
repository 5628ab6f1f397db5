// The floors: for each kind of work the framework does, the cheapest plain Koa
// code that does the same work, as a careful engineer would write it without a framework.
// The framework's scenarios are measured as ratios to these, in the same run.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomFillSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Router from "@koa/router";
import helmet, { type HelmetOptions } from "helmet";
import Redis, { type Result } from "ioredis";
import Koa from "koa";
import { Pool } from "pg";

/** Key prefix of F3's session hashes. */
export const FLOOR_REDIS_PREFIX = "floor-bench:sess:";
/** F2's cookie, and the associated data its seal is bound to. */
export const FLOOR_COOKIE = "floor_session";
/** F3's cookie: the session id. */
export const FLOOR_ID_COOKIE = "floor_sid";

/** F4's table: the row's key (an HMAC of the id), the session's data, its idle expiry in epoch ms. */
export const FLOOR_DATABASE_TABLE = "floor_sessions";
export const FLOOR_DATABASE_TABLE_SQL = `CREATE TABLE ${FLOOR_DATABASE_TABLE} (id CHAR(64) PRIMARY KEY, data JSONB NOT NULL, expires_at BIGINT NOT NULL)`;
/** F4's pool: as many connections as the database driver's default (config/session.ts). */
const FLOOR_POOL_SIZE = 10;

/** The same idle timeout as the framework's default (config/session.ts): two hours. */
const TTL_S = 2 * 60 * 60;
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const COOKIE_OPTIONS = { httpOnly: true, sameSite: "lax", overwrite: true, signed: false } as const;

/** Header name and value pairs, in the order helmet sets them. */
export type PreparedHeaders = ReadonlyArray<readonly [string, string | number | readonly string[]]>;

/**
 * The security headers the framework sends by default (helmet with config/security.ts's
 * options), worked out once at start-up: they are the same for every response, so a floor
 * doing the framework's work only copies them onto each one.
 */
export function prepareSecurityHeaders(options: HelmetOptions): PreparedHeaders {
  const headers: Array<readonly [string, string | number | readonly string[]]> = [];
  const recorder = { setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name, value]), removeHeader: () => {} };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/** The cheapest way to send them: straight onto Node's response, no Koa header helpers. */
export function sendHeaders(res: ServerResponse, headers: PreparedHeaders): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** F1: @koa/router routes answering the JSON the app's api routes answer, with the framework's security headers. */
export function routedJsonFloor(headers: PreparedHeaders): Koa {
  const app = new Koa();
  const router = new Router();
  router.get("/api/status", (ctx) => {
    sendHeaders(ctx.res, headers);
    ctx.body = { status: "ok" };
  });
  // The route shape of scenarios (A) and (B): a parameter and a query string.
  router.get("/api/bench/users/:id", (ctx) => {
    sendHeaders(ctx.res, headers);
    ctx.body = { id: ctx.params.id, q: ctx.query.q ?? null };
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** Nonces from the OS CSPRNG, drawn 1,024 at a time so one getrandom() call serves many seals. */
function noncePool(): () => Buffer {
  const pool = Buffer.alloc(12 * 1024);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += 12;
    return pool.subarray(offset - 12, offset);
  };
}

interface Sealed {
  /** Session id. */
  i: string;
  /** Created at, ms. */
  c: number;
  /** Idle expiry, ms: inside the seal, so a replayed old cookie is refused. */
  e: number;
  /** The session's data. */
  d: Record<string, unknown>;
}

/**
 * F2: a counter in an AES-256-GCM sealed cookie, one open and one seal per request, the
 * cookie name as associated data, the cookie driver's payload fields. The key is derived from
 * APP_KEY once, with HKDF, as any careful app would.
 */
export function sealedCookieFloor(appKey: string, headers: PreparedHeaders): Koa {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(appKey.replace(/^base64:/, ""), "base64"), Buffer.alloc(0), "floor:session-cookie", 32));
  const aad = Buffer.from(FLOOR_COOKIE);
  const nonce = noncePool();
  const seal = (plain: Buffer): string => {
    const iv = nonce();
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(aad);
    const body = cipher.update(plain);
    cipher.final();
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
  };
  const open = (text: string): Sealed | undefined => {
    const raw = Buffer.from(text, "base64url");
    if (raw.length < 28) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAAD(aad);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = decipher.update(raw.subarray(12, raw.length - 16));
      decipher.final();
      const payload = JSON.parse(plain.toString("utf8")) as Sealed;
      return payload.e > Date.now() ? payload : undefined;
    } catch {
      return undefined; // tampered, moved, or not ours: a fresh session
    }
  };
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.method !== "GET" || ctx.path !== "/bench/counter") return;
    sendHeaders(ctx.res, headers);
    const cookie = ctx.cookies.get(FLOOR_COOKIE);
    const now = Date.now();
    const session = (cookie && open(cookie)) || { i: randomBytes(32).toString("base64url"), c: now, e: 0, d: {} };
    const counter = (typeof session.d.counter === "number" ? session.d.counter : 0) + 1;
    session.d.counter = counter;
    session.e = now + TTL_S * 1000;
    ctx.cookies.set(FLOOR_COOKIE, seal(Buffer.from(JSON.stringify(session))), COOKIE_OPTIONS);
    ctx.body = { counter };
  });
  return app;
}

declare module "ioredis" {
  interface RedisCommander<Context> {
    floorLoad(key: string, ttl: number): Result<string[], Context>;
    floorIncrement(key: string, ttl: number, field: string): Result<number, Context>;
  }
}

/**
 * F3: a session id from a cookie, one script call that loads the session's hash (and slides
 * its expiry), one that increments the counter (and slides it again), auto-pipelined.
 * F3r, on the same server: the id from the cookie and only the first script, for a request
 * that reads the session and changes nothing.
 */
export async function redisCounterFloor(url: string, headers: PreparedHeaders): Promise<{ app: Koa; redis: Redis }> {
  const redis = new Redis(url, { db: 0, enableAutoPipelining: true });
  redis.defineCommand("floorLoad", {
    numberOfKeys: 1,
    lua: "local h = redis.call('HGETALL', KEYS[1]) if #h > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return h",
  });
  redis.defineCommand("floorIncrement", {
    numberOfKeys: 1,
    lua: "local n = redis.call('HINCRBY', KEYS[1], ARGV[2], 1) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n",
  });
  await redis.ping();
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== "GET") return;
    if (ctx.path === "/bench/read") {
      sendHeaders(ctx.res, headers);
      const id = ctx.cookies.get(FLOOR_ID_COOKIE);
      const fields = id && ID_SHAPE.test(id) ? await redis.floorLoad(FLOOR_REDIS_PREFIX + id, TTL_S) : [];
      const at = fields.indexOf("counter");
      ctx.body = { counter: at >= 0 && at % 2 === 0 ? Number(fields[at + 1]) : 0 };
      return;
    }
    if (ctx.path !== "/bench/counter") return;
    sendHeaders(ctx.res, headers);
    let id = ctx.cookies.get(FLOOR_ID_COOKIE);
    const fields = id && ID_SHAPE.test(id) ? await redis.floorLoad(FLOOR_REDIS_PREFIX + id, TTL_S) : [];
    if (fields.length === 0) {
      id = randomBytes(32).toString("base64url");
      ctx.cookies.set(FLOOR_ID_COOKIE, id, COOKIE_OPTIONS);
    }
    ctx.body = { counter: await redis.floorIncrement(FLOOR_REDIS_PREFIX + id, TTL_S, "counter") };
  });
  return { app, redis };
}

/** F4's key for a session id: an HMAC under a key derived from APP_KEY, so a dump of the table hands out no session. */
export function floorDatabaseKey(appKey: string): (id: string) => string {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(appKey.replace(/^base64:/, ""), "base64"), Buffer.alloc(0), "floor:session-ids", 32));
  return (id) => createHmac("sha256", key).update(id).digest("hex");
}

/**
 * F4: a session id from a cookie, its row keyed by an HMAC of the id (as the database driver
 * keys its own), one statement that reads the live row and slides its expiry, one that applies
 * the increment to the row as it is (an upsert, which also makes a new visitor's row), on a
 * pg pool of the driver's default size.
 */
export function databaseCounterFloor(url: string, appKey: string, headers: PreparedHeaders): { app: Koa; pool: Pool } {
  const pool = new Pool({ connectionString: url, max: FLOOR_POOL_SIZE });
  const rowKey = floorDatabaseKey(appKey);
  const t = FLOOR_DATABASE_TABLE;
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== "GET" || ctx.path !== "/bench/counter") return;
    sendHeaders(ctx.res, headers);
    const now = Date.now();
    const expiresAt = now + TTL_S * 1000;
    const id = ctx.cookies.get(FLOOR_ID_COOKIE);
    let key = id !== undefined && ID_SHAPE.test(id) ? rowKey(id) : undefined;
    const live = key !== undefined && (await pool.query(`UPDATE ${t} SET expires_at = $2 WHERE id = $1 AND expires_at > $3 RETURNING data`, [key, expiresAt, now])).rowCount === 1;
    if (!live) {
      const fresh = randomBytes(32).toString("base64url");
      key = rowKey(fresh);
      ctx.cookies.set(FLOOR_ID_COOKIE, fresh, COOKIE_OPTIONS);
    }
    const { rows } = await pool.query<{ counter: string }>(
      `INSERT INTO ${t} (id, data, expires_at) VALUES ($1, '{"counter": 1}', $2)
       ON CONFLICT (id) DO UPDATE SET data = jsonb_set(${t}.data, '{counter}', to_jsonb(COALESCE((${t}.data ->> 'counter')::bigint, 0) + 1)), expires_at = $2
       RETURNING data ->> 'counter' AS counter`,
      [key, expiresAt],
    );
    ctx.body = { counter: Number(rows[0]!.counter) };
  });
  return { app, pool };
}
