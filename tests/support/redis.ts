import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import type { TestContext } from "node:test";
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

const HAS_REDIS_SERVER = spawnSync("redis-server", ["--version"]).status === 0;

/**
 * A real redis-server of the test's own, on a free loopback port, which the test can
 * stop and start again for failure cases. With REDIS_URL set, that server is used
 * instead (and cannot be stopped).
 */
export class RedisServer {
  readonly port: number;
  readonly url: string;
  #process: ChildProcess | undefined;
  readonly external: boolean;

  private constructor(port: number, url: string, external: boolean) {
    this.port = port;
    this.url = url;
    this.external = external;
  }

  /**
   * Starts one, or explains loudly why the Redis tests cannot run: a skip normally, a
   * failure when REQUIRE_REDIS=1 (as in CI).
   */
  static async startOrSkip(t: TestContext): Promise<RedisServer | undefined> {
    if (process.env.REDIS_URL) {
      const url = new URL(process.env.REDIS_URL);
      return new RedisServer(Number(url.port || 6379), process.env.REDIS_URL, true);
    }
    if (!HAS_REDIS_SERVER) {
      const why = "redis-server is not installed and REDIS_URL is not set: the Redis tests cannot run (apt-get install redis-server)";
      if (process.env.REQUIRE_REDIS === "1") throw new Error(`${why}; REQUIRE_REDIS=1 makes this a failure.`);
      console.warn(`\n!!! SKIPPED: ${why}\n`);
      t.skip(why);
      return undefined;
    }
    const port = await freePort();
    const server = new RedisServer(port, `redis://127.0.0.1:${port}`, false);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    if (this.external) throw new Error("cannot start an external Redis (REDIS_URL)");
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--enable-debug-command", "local"], {
      stdio: "ignore",
    });
    this.#process = child;
    const probe = new Redis(this.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {}); // refused connections are expected until the server is up
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch (error) {
        probe.disconnect();
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on port ${this.port} did not start: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGKILL");
    await once(child, "exit");
    this.#process = undefined;
  }

  /** A plain client for inspecting what the app stored. */
  client(db = 0): Redis {
    const client = new Redis(this.url, { db });
    client.on("error", () => {}); // tests that stop the server expect this client to lose its connection
    return client;
  }
}
