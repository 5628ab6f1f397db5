import Redis from "ioredis";
import { RedisServer } from "../tests/support/redis";

/**
 * The Redis the Redis scenarios talk to: REDIS_URL when set (shared, so never flushed or
 * reset: statistics are read as differences), otherwise a redis-server of the bench's own
 * on a free loopback port (the test harness's starter), without persistence, killed at the end.
 */
export class BenchRedis {
  readonly url: string;
  readonly external: boolean;
  readonly client: Redis;
  #server: RedisServer | undefined;

  private constructor(url: string, server: RedisServer | undefined) {
    this.url = url;
    this.external = server === undefined;
    this.#server = server;
    this.client = new Redis(url, { db: 0, maxRetriesPerRequest: 1 });
  }

  static async start(): Promise<BenchRedis> {
    if (process.env.REDIS_URL) {
      const redis = new BenchRedis(process.env.REDIS_URL, undefined);
      await redis.client.ping();
      return redis;
    }
    const server = await RedisServer.startLocal().catch((error: Error) => {
      throw new Error(`${error.message}: the Redis scenarios need redis-server (apt-get install redis-server) or REDIS_URL.`);
    });
    return new BenchRedis(server.url, server);
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

  /** CPU seconds (user + system) redis-server used since it started (INFO cpu); a shared REDIS_URL counts its other clients too. */
  async cpuSeconds(): Promise<number> {
    const info = await this.client.info("cpu");
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? NaN);
    return field("used_cpu_user") + field("used_cpu_sys");
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
    await this.#server?.stop();
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
