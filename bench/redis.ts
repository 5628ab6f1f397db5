import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import Redis from "ioredis";

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0;
}

/**
 * The Redis the Redis scenarios talk to: REDIS_URL when set (shared, so never flushed or
 * reset: statistics are read as differences), otherwise a redis-server of the bench's own
 * on a free loopback port, without persistence, killed at the end.
 */
export class BenchRedis {
  readonly url: string;
  readonly external: boolean;
  readonly client: Redis;
  #process: ChildProcess | undefined;

  private constructor(url: string, external: boolean, process: ChildProcess | undefined) {
    this.url = url;
    this.external = external;
    this.#process = process;
    this.client = new Redis(url, { db: 0, maxRetriesPerRequest: 1 });
  }

  static async start(): Promise<BenchRedis> {
    if (process.env.REDIS_URL) {
      const redis = new BenchRedis(process.env.REDIS_URL, true, undefined);
      await redis.client.ping();
      return redis;
    }
    if (!hasRedisServer()) {
      throw new Error("redis-server is not installed and REDIS_URL is not set: the Redis scenarios cannot run (apt-get install redis-server, or set REDIS_URL).");
    }
    const port = await freePort();
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const url = `redis://127.0.0.1:${port}`;
    const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined); // refused while redis-server starts: retried below
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        break;
      } catch (error) {
        probe.disconnect();
        if (Date.now() > deadline || child.exitCode !== null) {
          child.kill("SIGKILL");
          throw new Error(`redis-server on port ${port} did not start: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return new BenchRedis(url, false, child);
  }

  /** Calls per command since the server started (INFO commandstats), lower-case names. */
  async commandCalls(): Promise<Map<string, number>> {
    const info = await this.client.info("commandstats");
    const calls = new Map<string, number>();
    for (const line of info.split("\n")) {
      const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
      if (match) calls.set(match[1]!, Number(match[2]));
    }
    return calls;
  }

  /** Removes every key under a prefix (the bench's own namespaces), without blocking Redis. */
  async deletePrefix(prefix: string): Promise<number> {
    let cursor = "0";
    let deleted = 0;
    do {
      const [next, keys] = await this.client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await this.client.unlink(...keys);
    } while (cursor !== "0");
    return deleted;
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    const child = this.#process;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGKILL");
    await once(child, "exit");
  }
}

/** The difference of two commandstats snapshots, without the bench's own INFO calls. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, calls] of after) {
    if (name === "info") continue;
    const diff = calls - (before.get(name) ?? 0);
    if (diff > 0) delta[name] = diff;
  }
  return delta;
}
