import type { IncomingMessage, ServerResponse } from "node:http";
import Redis from "ioredis";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Koa from "koa";
import session from "koa-session";
import pino from "pino";
import { setLogDestination } from "masonite/core";
import { Application } from "masonite/foundation";
import { SessionManager } from "masonite/sessions";
import { benchKernel } from "./app";
import { HEADERS } from "../config/security";
import { prepareSecurityHeaders, redisCounterFloor, routedJsonFloor, sealedCookieFloor, sendHeaders, type PreparedHeaders } from "./floors";

/** Koa's request listener: its promise settles when the middleware finished. */
export type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A running server inside the child: its request listener and, for Redis servers, the client to watch. */
export interface BuiltServer {
  listener: Listener;
  /** The ioredis client the server talks to Redis with, so the child can count round trips. */
  redis?: Redis;
  close(): Promise<void>;
}

export const SERVER_KINDS = ["koa", "koa-session-cookie", "koa-session-redis", "masonite-cookie", "masonite-redis", "floor-router", "floor-cookie", "floor-redis", "masonite-logged", "masonite-file"] as const;
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

export async function buildServer(kind: ServerKind, redisUrl: string | undefined): Promise<BuiltServer> {
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
      const redis = new Redis(requireUrl(redisUrl), { db: 0 });
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
      const { app, redis } = await redisCounterFloor(requireUrl(redisUrl), headers);
      return { listener: app.callback(), redis, close: async () => void (await redis.quit()) };
    }
    case "masonite-logged": {
      // Production's request log (JSON lines, written asynchronously), into the null device
      // rather than the bench's terminal: the cost measured is making and writing the lines.
      setLogDestination(pino.destination({ dest: os.devNull, sync: false }));
      const app = await Application.create(benchKernel("cookie", undefined, { LEVEL: "info", PRETTY: false, REQUESTS: true }));
      return { listener: app.callback(), close: () => app.close() };
    }
    case "masonite-file": {
      // A folder of its own on the machine's temporary filesystem, removed when the server stops.
      const directory = mkdtempSync(path.join(os.tmpdir(), "masonite-bench-sessions-"));
      const app = await Application.create(benchKernel("file", undefined, undefined, directory));
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
      const app = await Application.create(benchKernel(driver, driver === "redis" ? requireUrl(redisUrl) : undefined));
      const { store } = app.container.resolve(SessionManager);
      return { listener: app.callback(), redis: "client" in store ? (store.client as Redis) : undefined, close: () => app.close() };
    }
  }
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new Error("this server needs Redis: bench/run.ts passes BENCH_REDIS_URL");
  return url;
}
