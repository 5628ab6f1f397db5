import type { IncomingMessage, ServerResponse } from "node:http";
import Redis from "ioredis";
import { mkdtempSync, rmSync } from "node:fs";
import connectPgSimple from "connect-pg-simple";
import express from "express";
import expressSession from "express-session";
import os from "node:os";
import path from "node:path";
import Koa from "koa";
import session from "koa-session";
import pino from "pino";
import { setLogDestination } from "masonite/core";
import { Application } from "masonite/foundation";
import { SessionManager } from "masonite/sessions";
import { sessionTableSql } from "masonite/sessions/stores";
import { Pool } from "pg";
import { BENCH_SESSION_TABLE, benchKernel } from "./app";
import { HEADERS } from "../config/security";
import { databaseCounterFloor, prepareSecurityHeaders, redisCounterFloor, routedJsonFloor, sealedCookieFloor, sendHeaders, type PreparedHeaders } from "./floors";

/** Koa's request listener: its promise settles when the middleware finished. */
export type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A running server inside the child: its request listener and, for Redis and database servers, the client to watch. */
export interface BuiltServer {
  listener: Listener;
  /** The ioredis client the server talks to Redis with, so the child can count round trips. */
  redis?: Redis;
  /** The SQL client whose statements the child counts. */
  sql?: "pg" | "sqlite";
  close(): Promise<void>;
}

/** What a server is pointed at: bench/run.ts passes them as BENCH_REDIS_URL and BENCH_DATABASE_URL. */
export interface ServerServices {
  redisUrl?: string;
  /** The bench's PostgreSQL database. */
  databaseUrl?: string;
}

export const SERVER_KINDS = [
  "koa",
  "koa-session-cookie",
  "koa-session-redis",
  "masonite-cookie",
  "masonite-redis",
  "floor-router",
  "floor-cookie",
  "floor-redis",
  "masonite-logged",
  "masonite-file",
  "masonite-database",
  "masonite-database-sqlite",
  "floor-database",
  "express-session-pg",
] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Key prefix of the koa-session store adapter below. */
export const KOA_SESSION_PREFIX = "koa-bench:sess:";
/** Same idle timeout as the framework's cookie driver default, so both seal the same kind of thing. */
const MAX_AGE_MS = 2 * 60 * 60 * 1000;

type SessionContext = Koa.Context & { session: Record<string, unknown> | null };

/** What the peers serve: the same route, JSON answer and security headers as the framework's BenchController. */
function koaRoutes(app: Koa, withSession: boolean, headers: PreparedHeaders): void {
  app.use((ctx) => {
    if (ctx.method !== "GET") return;
    if (ctx.path === "/bench/counter") {
      sendHeaders(ctx.res, headers);
      if (!withSession) {
        ctx.body = { counter: 1 };
        return;
      }
      const data = (ctx as SessionContext).session!;
      const counter = (typeof data.counter === "number" ? data.counter : 0) + 1;
      data.counter = counter;
      ctx.body = { counter };
    }
  });
}

/**
 * The smallest correct koa-session store on ioredis: one JSON string per session with a
 * TTL. This is what koa-session's README asks for, and what most Redis store packages do.
 */
function ioredisStore(redis: Redis) {
  return {
    async get(key: string): Promise<unknown> {
      const raw = await redis.get(KOA_SESSION_PREFIX + key);
      return raw === null ? undefined : JSON.parse(raw);
    },
    async set(key: string, sess: unknown, maxAge: number): Promise<void> {
      const ttl = typeof maxAge === "number" ? maxAge : MAX_AGE_MS;
      await redis.set(KOA_SESSION_PREFIX + key, JSON.stringify(sess), "PX", ttl);
    },
    async destroy(key: string): Promise<void> {
      await redis.del(KOA_SESSION_PREFIX + key);
    },
  };
}

function koaSessionOptions() {
  return { key: "koa.sess", maxAge: MAX_AGE_MS, httpOnly: true, signed: true, sameSite: "lax", rolling: false };
}

declare module "express-session" {
  interface SessionData {
    counter: number;
  }
}

/**
 * The peer users would pick for sessions in PostgreSQL: Express with express-session and
 * connect-pg-simple, set up as their READMEs advise (no resave, no empty sessions saved), on a pg
 * pool of the database driver's default size, with the framework's security headers and JSON.
 */
function expressSessionPg(databaseUrl: string, headers: PreparedHeaders): { listener: Listener; pool: Pool } {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const PgStore = connectPgSimple(expressSession);
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  app.use(
    expressSession({
      store: new PgStore({ pool }),
      secret: process.env.APP_KEY!,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax", maxAge: MAX_AGE_MS },
    }),
  );
  app.get("/bench/counter", (req, res) => {
    sendHeaders(res, headers);
    const counter = (req.session.counter ?? 0) + 1;
    req.session.counter = counter;
    res.json({ counter });
  });
  // express-session saves the session before it ends the response: "close" follows both.
  const listener: Listener = (req, res) =>
    new Promise((resolve) => {
      res.once("close", resolve);
      app(req, res);
    });
  return { listener, pool };
}

export async function buildServer(kind: ServerKind, { redisUrl, databaseUrl }: ServerServices): Promise<BuiltServer> {
  // The floors and peers do the framework's work: its default security headers (config/security.ts) on every answer.
  const headers = prepareSecurityHeaders(HEADERS);
  switch (kind) {
    case "koa": {
      const app = new Koa();
      koaRoutes(app, false, headers);
      return { listener: app.callback(), close: async () => {} };
    }
    case "koa-session-cookie": {
      const app = new Koa();
      app.keys = [process.env.APP_KEY!];
      app.use(session(koaSessionOptions(), app));
      koaRoutes(app, true, headers);
      return { listener: app.callback(), close: async () => {} };
    }
    case "koa-session-redis": {
      const redis = new Redis(requireUrl(redisUrl, "Redis", "BENCH_REDIS_URL"), { db: 0 });
      await redis.ping();
      const app = new Koa();
      app.keys = [process.env.APP_KEY!];
      app.use(session({ ...koaSessionOptions(), store: ioredisStore(redis) }, app));
      koaRoutes(app, true, headers);
      return { listener: app.callback(), redis, close: async () => void (await redis.quit()) };
    }
    case "floor-router":
      return { listener: routedJsonFloor(headers).callback(), close: async () => {} };
    case "floor-cookie":
      return { listener: sealedCookieFloor(process.env.APP_KEY!, headers).callback(), close: async () => {} };
    case "floor-redis": {
      const { app, redis } = await redisCounterFloor(requireUrl(redisUrl, "Redis", "BENCH_REDIS_URL"), headers);
      return { listener: app.callback(), redis, close: async () => void (await redis.quit()) };
    }
    case "floor-database": {
      const { app, pool } = databaseCounterFloor(requireUrl(databaseUrl, "PostgreSQL", "BENCH_DATABASE_URL"), process.env.APP_KEY!, headers);
      await pool.query("SELECT 1");
      return { listener: app.callback(), sql: "pg", close: () => pool.end() };
    }
    case "express-session-pg": {
      const { listener, pool } = expressSessionPg(requireUrl(databaseUrl, "PostgreSQL", "BENCH_DATABASE_URL"), headers);
      await pool.query("SELECT 1");
      return { listener, sql: "pg", close: () => pool.end() };
    }
    case "masonite-database": {
      const app = await Application.create(benchKernel("database", { databaseUrl: requireUrl(databaseUrl, "PostgreSQL", "BENCH_DATABASE_URL") }));
      return { listener: app.callback(), sql: "pg", close: () => app.close() };
    }
    case "masonite-database-sqlite": {
      // A file of its own in a folder on the machine's temporary filesystem, its table made with
      // `craft session:table`'s statements, removed when the server stops.
      const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-bench-sqlite-"));
      const file = path.join(directory, "sessions.db");
      const Sqlite = require("better-sqlite3") as typeof import("better-sqlite3");
      const db = new Sqlite(file);
      for (const statement of sessionTableSql("sqlite", BENCH_SESSION_TABLE)) db.exec(statement);
      db.close();
      const app = await Application.create(benchKernel("database", { databaseUrl: `sqlite:${file}` }));
      return {
        listener: app.callback(),
        sql: "sqlite",
        close: async () => {
          await app.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    }
    case "masonite-logged": {
      // Production's request log (JSON lines, written asynchronously), into the null device
      // rather than the bench's terminal: the cost measured is making and writing the lines.
      setLogDestination(pino.destination({ dest: os.devNull, sync: false }));
      const app = await Application.create(benchKernel("cookie", { logging: { LEVEL: "info", PRETTY: false, REQUESTS: true } }));
      return { listener: app.callback(), close: () => app.close() };
    }
    case "masonite-file": {
      // A folder of its own on the machine's temporary filesystem, removed when the server stops.
      const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-bench-sessions-"));
      const app = await Application.create(benchKernel("file", { fileDirectory: directory }));
      return {
        listener: app.callback(),
        close: async () => {
          await app.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    }
    case "masonite-cookie":
    case "masonite-redis": {
      const driver = kind === "masonite-cookie" ? "cookie" : "redis";
      const app = await Application.create(benchKernel(driver, driver === "redis" ? { redisUrl: requireUrl(redisUrl, "Redis", "BENCH_REDIS_URL") } : {}));
      const { store } = app.container.resolve(SessionManager);
      return { listener: app.callback(), redis: "client" in store ? (store.client as Redis) : undefined, close: () => app.close() };
    }
  }
}

function requireUrl(url: string | undefined, server: string, variable: string): string {
  if (!url) throw new Error(`this server needs ${server}: bench/run.ts passes ${variable}`);
  return url;
}
