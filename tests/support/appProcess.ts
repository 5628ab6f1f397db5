import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { TestContext } from "node:test";
import type Redis from "ioredis";
import { HttpClient } from "./http";
import { freePort, RedisServer, waitFor } from "./redis";

const ROOT = path.resolve(__dirname, "..", "..");

/** Every app child still running: killed (process group and all) if the test process exits anyway. */
const LIVE = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of LIVE) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the child leads its own process group: workers included
  } catch {
    child.kill(signal);
  }
}

export interface AppProcessOptions {
  /** Environment on top of the production-like defaults below. */
  env?: Record<string, string | undefined>;
  /** Extra `serve` arguments, e.g. ["--workers", "2"]. */
  args?: string[];
  /** "server" (tests/support/server.ts: the app plus test-only routes) or "craft" (the real craft.ts). */
  entry?: "server" | "craft";
  port?: number;
  /** How long to wait for "serving on": only a hang-catcher (a start takes 1-3 s, and over 30 s on two busy cores). */
  startTimeoutMs?: number;
}

/**
 * The app as a separate process, started the way production starts it
 * (`node -r masonite/register <entry> serve --port N`), with APP_ENV=production. It leads its
 * own process group, so a signal can reach it and its workers together, as Ctrl-C would.
 */
export class AppProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  #output = "";

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    const keep = (chunk: string) => {
      this.#output = (this.#output + chunk).slice(-200_000);
    };
    child.stdout!.setEncoding("utf8").on("data", keep);
    child.stderr!.setEncoding("utf8").on("data", keep);
  }

  static async start(options: AppProcessOptions = {}): Promise<AppProcess> {
    const port = options.port ?? (await freePort());
    const entry = options.entry === "craft" ? "craft.ts" : path.join("tests", "support", "server.ts");
    const env: Record<string, string | undefined> = {
      ...process.env,
      APP_ENV: "production",
      APP_DEBUG: "false",
      APP_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "error",
      REDIS_URL: "",
      REDIS_DB: "0",
      ...options.env,
    };
    const child = spawn(process.execPath, ["--expose-gc", "-r", "masonite/register", entry, "serve", "--port", String(port), ...(options.args ?? [])], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    LIVE.add(child);
    child.on("exit", () => LIVE.delete(child));
    const app = new AppProcess(child, port);
    try {
      await waitFor(`the app on port ${port} to say "serving on"`, () => {
        if (child.exitCode !== null) throw new Error(`it exited with ${child.exitCode}:\n${app.output}`);
        return app.output.includes("serving on");
      }, options.startTimeoutMs ?? 90_000, 25);
    } catch (error) {
      app.kill();
      throw error;
    }
    return app;
  }

  get output(): string {
    return this.#output;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal to the app process only (or, with `group`, to it and its workers, as Ctrl-C does). */
  signal(signal: NodeJS.Signals, group = false): void {
    if (group) killGroup(this.child, signal);
    else this.child.kill(signal);
  }

  /** Resolves with the exit code and how long the exit took, or rejects past the timeout. */
  async exited(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return { code: this.child.exitCode, signal: this.child.signalCode };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the app did not exit within ${timeoutMs} ms:\n${this.output.slice(-3000)}`)), timeoutMs);
    });
    try {
      const [code, signal] = (await Promise.race([once(this.child, "exit"), timeout])) as [number | null, NodeJS.Signals | null];
      return { code, signal };
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL to the whole group: what after() hooks call, whatever state the test left. */
  kill(): void {
    killGroup(this.child, "SIGKILL");
  }
}

/** What appOnRedis starts for a test. */
export interface AppOnRedis {
  redisServer: RedisServer;
  /** The test's own connection, for reading what the app stored. */
  redis: Redis;
  /** A fresh session namespace, so tests sharing a REDIS_URL never see each other's keys. */
  namespace: string;
  app: AppProcess;
  client: HttpClient;
}

/**
 * A Redis of the test's own (or REDIS_URL) and one app process on the redis driver in a fresh
 * namespace, all stopped by the test's after hook; undefined when the test was skipped for
 * want of Redis.
 */
export async function appOnRedis(t: TestContext, prefix: string, options: AppProcessOptions = {}): Promise<AppOnRedis | undefined> {
  const redisServer = await RedisServer.startOrSkip(t);
  if (!redisServer) return undefined;
  const redis = redisServer.client();
  const namespace = `${prefix}${randomBytes(4).toString("hex")}`;
  const app = await AppProcess.start({ ...options, env: { SESSION_DRIVER: "redis", REDIS_URL: redisServer.url, SESSION_NAMESPACE: namespace, ...options.env } });
  const client = new HttpClient(app.url);
  t.after(async () => {
    client.close();
    app.kill();
    redis.disconnect();
    await redisServer.destroy(); // a no-op for an external REDIS_URL
  });
  return { redisServer, redis, namespace, app, client };
}
