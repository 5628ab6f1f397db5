import { BENCH_NAMESPACE } from "./app";
import type { Visitor } from "./client";
import type { BenchDatabase } from "./database";
import type { BenchRedis } from "./redis";
import { FLOOR_DATABASE_TABLE, floorDatabaseKey, FLOOR_ID_COOKIE, FLOOR_REDIS_PREFIX } from "./floors";
import { KOA_SESSION_PREFIX, type ServerKind } from "./servers";

const SESSION_COOKIE = "masonite_session";
/** express-session's cookie: `s:<id>.<signature>`, URL-encoded. */
const EXPRESS_SESSION_COOKIE = "connect.sid";

/** What the bench runs beside the servers, for reading counters where they are stored. */
export interface BenchServices {
  /** The APP_KEY the servers were given. */
  appKey: string;
  redis?: BenchRedis;
  database?: BenchDatabase;
}

/** One scenario: a server kind, a route, and how its returning user is made. */
export interface Scenario {
  n: number;
  id: string;
  label: string;
  kind: ServerKind;
  path: string;
  redis: boolean;
  /** The SQL server it keeps sessions in: the bench's PostgreSQL database, or an SQLite file of the server's own. */
  sql?: "postgres" | "sqlite";
  framework: boolean;
  prime: (visitor: Visitor) => Promise<void>;
  /** Reads the session's counter (straight from Redis or PostgreSQL, or through a read-only request), for lost updates. */
  counter?: (visitor: Visitor, services: BenchServices) => Promise<number>;
  /** For a floor or peer: the framework scenario whose header names its answer must carry too, checked before measuring. */
  sameHeadersAs?: string;
}

/** The counter as the app reads it, by a request that changes nothing (and so takes no lock). */
export async function appCounter(visitor: Visitor): Promise<number> {
  return (JSON.parse(await peek(visitor, "/bench/read")) as { counter: number }).counter;
}

export async function frameworkCounter(visitor: Visitor, { redis }: BenchServices): Promise<number> {
  const id = visitor.cookie(SESSION_COOKIE);
  return Number(await redis!.client.hget(`${BENCH_NAMESPACE}:session:${id}`, "counter"));
}

export async function koaSessionCounter(visitor: Visitor, { redis }: BenchServices): Promise<number> {
  const raw = await redis!.client.get(KOA_SESSION_PREFIX + visitor.cookie("koa.sess"));
  return Number((JSON.parse(raw ?? "{}") as { counter?: number }).counter ?? NaN);
}

export async function floorCounter(visitor: Visitor, { redis }: BenchServices): Promise<number> {
  return Number(await redis!.client.hget(FLOOR_REDIS_PREFIX + visitor.cookie(FLOOR_ID_COOKIE), "counter"));
}

/** F4's counter, from its row in PostgreSQL. */
export async function floorDatabaseCounter(visitor: Visitor, { appKey, database }: BenchServices): Promise<number> {
  const rows = await database!.query<{ counter: string }>(`SELECT data ->> 'counter' AS counter FROM ${FLOOR_DATABASE_TABLE} WHERE id = $1`, [floorDatabaseKey(appKey)(visitor.cookie(FLOOR_ID_COOKIE)!)]);
  return Number(rows[0]?.counter ?? NaN);
}

/** The express-session peer's counter, from connect-pg-simple's row in PostgreSQL. */
export async function expressSessionCounter(visitor: Visitor, { database }: BenchServices): Promise<number> {
  const signed = decodeURIComponent(visitor.cookie(EXPRESS_SESSION_COOKIE) ?? "");
  const id = signed.slice("s:".length, signed.lastIndexOf("."));
  const rows = await database!.query<{ counter: number | null }>("SELECT (sess ->> 'counter')::int AS counter FROM session WHERE sid = $1", [id]);
  return Number(rows[0]?.counter ?? NaN);
}

/** One request with the visitor's cookies that leaves the visitor's jar as it was. */
export async function peek(visitor: Visitor, pathname: string): Promise<string> {
  const response = await fetch(visitor.base + pathname, { headers: { cookie: visitor.cookieHeader(), accept: "text/html" }, redirect: "manual" });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${pathname} -> ${response.status}: ${body.slice(0, 300)}`);
  return body;
}

export async function primeCounter(visitor: Visitor): Promise<void> {
  await visitor.get("/bench/counter");
  const body = await peek(visitor, "/bench/counter");
  if (!/"counter":\s*[2-9]/.test(body)) throw new Error(`the session did not come back on the second request: ${body}`);
}

/** Scenario 6: the app's contact form posted wrong, so errors and old input are flashed. */
export async function primeFlashedPage(visitor: Visitor): Promise<void> {
  const form = await visitor.get("/contact");
  const token = /name="__token" value="([^"]+)"/.exec(form.body)?.[1];
  if (!token) throw new Error("no CSRF token in the contact page");
  const posted = await visitor.postForm("/contact", { name: "", email: "not-an-email", password: "short", __token: token }, { referer: `${visitor.base}/contact` });
  if (posted.status !== 302) throw new Error(`POST /contact answered ${posted.status}, expected a redirect back with errors`);
  const page = await peek(visitor, "/bench/page");
  if (!page.includes("Please fix") || !page.includes('value="not-an-email"')) throw new Error("the bench page does not show the flashed errors and old input");
}

/** Headers that say nothing about the work done: framing, the clock, and the session's own cookie. */
const FRAMING_HEADERS = new Set(["connection", "content-length", "date", "keep-alive", "set-cookie", "transfer-encoding"]);

/** The names of the headers one answer carries, framing left out, sorted. */
export async function headerNames(visitor: Visitor, pathname: string): Promise<string[]> {
  const response = await fetch(visitor.base + pathname, { headers: { cookie: visitor.cookieHeader() }, redirect: "manual" });
  await response.arrayBuffer();
  return [...response.headers.keys()].filter((name) => !FRAMING_HEADERS.has(name)).sort();
}

/** The route shape of (A) and (B): a parameter and a query string, answered `{"id":"42","q":"1"}` with no cookie. */
function primeUser(pathname: string) {
  return async (visitor: Visitor): Promise<void> => {
    const response = await visitor.get(pathname);
    if (response.status !== 200 || response.body !== '{"id":"42","q":"1"}') throw new Error(`GET ${pathname} -> ${response.status}: ${response.body.slice(0, 300)}`);
    if (response.headers.getSetCookie().length > 0) throw new Error(`GET ${pathname} set a cookie: a visit that stores nothing must not`);
  };
}

async function primeRead(visitor: Visitor): Promise<void> {
  await primeCounter(visitor);
  await peek(visitor, "/bench/read");
}

/**
 * A routed JSON answer with no session to carry: `{"status":"ok"}` and no cookie. Through the
 * api group (scenario 8) no session runs; through the web group (scenario 13) it is a first
 * visit: the session and CSRF middleware run and store nothing, so the visitor stays without
 * a cookie and every load request is a fresh visitor.
 */
function primeStatus(pathname: string) {
  return async (visitor: Visitor): Promise<void> => {
    const response = await visitor.get(pathname);
    if (response.status !== 200 || response.body !== '{"status":"ok"}') throw new Error(`GET ${pathname} -> ${response.status}: ${response.body.slice(0, 300)}`);
    if (response.headers.getSetCookie().length > 0) throw new Error(`GET ${pathname} set a cookie: a visit that stores nothing must not`);
  };
}

export const SCENARIOS: Scenario[] = [
  { n: 1, id: "koa", label: "bare Koa (no session)", kind: "koa", path: "/bench/counter", redis: false, framework: false, prime: async () => {}, sameHeadersAs: "masonite-cookie" },
  { n: 2, id: "koa-session-cookie", label: "koa-session, cookie", kind: "koa-session-cookie", path: "/bench/counter", redis: false, framework: false, prime: primeCounter, sameHeadersAs: "masonite-cookie" },
  { n: 3, id: "koa-session-redis", label: "koa-session + ioredis store", kind: "koa-session-redis", path: "/bench/counter", redis: true, framework: false, prime: primeCounter, counter: koaSessionCounter, sameHeadersAs: "masonite-redis" },
  { n: 4, id: "masonite-cookie", label: "masonite, cookie driver", kind: "masonite-cookie", path: "/bench/counter", redis: false, framework: true, prime: primeCounter },
  { n: 5, id: "masonite-redis", label: "masonite, redis driver", kind: "masonite-redis", path: "/bench/counter", redis: true, framework: true, prime: primeCounter, counter: frameworkCounter },
  { n: 6, id: "masonite-page", label: "masonite, full page + flash", kind: "masonite-cookie", path: "/bench/page", redis: false, framework: true, prime: primeFlashedPage },
  {
    n: 7,
    id: "masonite-redis-read",
    label: "masonite, redis read-only",
    kind: "masonite-redis",
    path: "/bench/read",
    redis: true,
    framework: true,
    prime: primeRead,
    counter: frameworkCounter,
  },
  { n: 8, id: "masonite-api", label: "masonite, api group JSON (no session)", kind: "masonite-cookie", path: "/api/status", redis: false, framework: true, prime: primeStatus("/api/status") },
  {
    n: 9,
    id: "masonite-redis-signed-in",
    label: "masonite, redis driver, signed in",
    kind: "masonite-redis",
    path: "/bench/counter",
    redis: true,
    framework: true,
    prime: async (visitor) => {
      const signIn = await visitor.get("/bench/sign-in");
      if (signIn.status !== 200) throw new Error(`GET /bench/sign-in -> ${signIn.status}: ${signIn.body.slice(0, 300)}`);
      await primeCounter(visitor);
    },
    counter: frameworkCounter,
  },
  // The floors: plain Koa code doing the same work as a framework scenario, no framework code.
  { n: 10, id: "floor-router", label: "floor F1: Koa + @koa/router, JSON route", kind: "floor-router", path: "/api/status", redis: false, framework: false, prime: primeStatus("/api/status"), sameHeadersAs: "masonite-api" },
  { n: 11, id: "floor-cookie", label: "floor F2: Koa + AES-256-GCM cookie counter", kind: "floor-cookie", path: "/bench/counter", redis: false, framework: false, prime: primeCounter, sameHeadersAs: "masonite-cookie" },
  { n: 12, id: "floor-redis", label: "floor F3: Koa + ioredis, two scripts", kind: "floor-redis", path: "/bench/counter", redis: true, framework: false, prime: primeCounter, counter: floorCounter, sameHeadersAs: "masonite-redis" },
  { n: 13, id: "masonite-web-fresh", label: "masonite, web group JSON, fresh visitor", kind: "masonite-cookie", path: "/bench/status", redis: false, framework: true, prime: primeStatus("/bench/status") },
  { n: 14, id: "masonite-api-logged", label: "masonite, api group JSON, a request log line each (LOG_REQUESTS=true)", kind: "masonite-logged", path: "/api/status", redis: false, framework: true, prime: primeStatus("/api/status") },
  { n: 15, id: "masonite-file", label: "masonite, file driver counter (one lock per change)", kind: "masonite-file", path: "/bench/counter", redis: false, framework: true, prime: primeCounter, counter: appCounter },
  // Routes with a parameter, as real apps have, and a floor for the read-only redis request.
  { n: 16, id: "masonite-api-users", label: "(A) masonite, api group JSON, /api/bench/users/:id?q=1", kind: "masonite-cookie", path: "/api/bench/users/42?q=1", redis: false, framework: true, prime: primeUser("/api/bench/users/42?q=1") },
  { n: 17, id: "masonite-web-users", label: "(B) masonite, web group JSON, /bench/users/:id?q=1, stores nothing", kind: "masonite-cookie", path: "/bench/users/42?q=1", redis: false, framework: true, prime: primeUser("/bench/users/42?q=1") },
  { n: 18, id: "floor-router-users", label: "floor F1: Koa + @koa/router, /api/bench/users/:id?q=1", kind: "floor-router", path: "/api/bench/users/42?q=1", redis: false, framework: false, prime: primeUser("/api/bench/users/42?q=1"), sameHeadersAs: "masonite-api-users" },
  { n: 19, id: "floor-redis-read", label: "floor F3r: Koa + ioredis, one script, read-only", kind: "floor-redis", path: "/bench/read", redis: true, framework: false, prime: primeRead, counter: floorCounter, sameHeadersAs: "masonite-redis-read" },
  // The database driver: on PostgreSQL against its floor and the peer users would pick, and on an SQLite file.
  { n: 20, id: "masonite-database", label: "(G) masonite, database driver counter, PostgreSQL", kind: "masonite-database", path: "/bench/counter", redis: false, sql: "postgres", framework: true, prime: primeCounter, counter: appCounter },
  { n: 21, id: "masonite-database-sqlite", label: "masonite, database driver counter, SQLite file", kind: "masonite-database-sqlite", path: "/bench/counter", redis: false, sql: "sqlite", framework: true, prime: primeCounter, counter: appCounter },
  { n: 22, id: "floor-database", label: "floor F4: Koa + pg pool, two statements", kind: "floor-database", path: "/bench/counter", redis: false, sql: "postgres", framework: false, prime: primeCounter, counter: floorDatabaseCounter, sameHeadersAs: "masonite-database" },
  { n: 23, id: "express-session-pg", label: "Express + express-session + connect-pg-simple", kind: "express-session-pg", path: "/bench/counter", redis: false, sql: "postgres", framework: false, prime: primeCounter, counter: expressSessionCounter, sameHeadersAs: "masonite-database" },
];

/** Session data sizes up to the largest the default 6 KB of cookies holds (about 4.4 KB). */
export const COOKIE_SIZES = [100, 1024, 2048, 4096];
export const REDIS_KEYS = [1, 10, 100, 1000];

