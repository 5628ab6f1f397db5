import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { unavailable, type Skippable } from "./skip";

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Every redis-server/redis-sentinel these helpers started and that still runs: killed if the test process exits anyway. */
const LIVE = new Set<ChildProcess>();
/** Temp dirs not yet removed: removed then too. */
const DIRS = new Set<string>();
process.on("exit", () => {
  for (const child of LIVE) child.kill("SIGKILL");
  for (const dir of DIRS) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  DIRS.add(dir);
  return dir;
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  DIRS.delete(dir);
}

function spawnTracked(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: "ignore" });
  LIVE.add(child);
  child.on("exit", () => LIVE.delete(child));
  child.on("error", () => LIVE.delete(child));
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks the Redis binaries a test needs (redis-server, redis-sentinel, redis-cli): a loud
 * skip when one is missing, a failure when REQUIRE_REDIS=1 (as in CI). REDIS_URL cannot
 * stand in for them: these tests stop, slow down and fail over servers of their own.
 */
export function redisToolsOrSkip(
  t: Skippable,
  tools: string[] = ["redis-server"],
  need = "this test starts, kills and fails over its own Redis servers",
): boolean {
  const missing = tools.filter((tool) => spawnSync(tool, ["--version"]).status !== 0);
  if (missing.length === 0) return true;
  unavailable(t, `${missing.join(", ")} not installed: ${need} (apt-get install redis-server redis-sentinel redis-tools)`, "REQUIRE_REDIS");
  return false;
}

/** Polls `check` until it returns true (or throws past the deadline), naming what it waited for. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await sleep(everyMs);
  }
}

/** Counts the keys matching a pattern with SCAN (never KEYS, which blocks the server). */
export async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

/** A short-lived client that gives up at once instead of retrying: for probing servers that may be down. */
export async function probeClient<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, commandTimeout: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

export interface LocalRedisOptions {
  /** Extra redis-server arguments (`--replicaof`, `--cluster-enabled` ...). */
  args?: string[];
  /** AOF with fsync on every write, in a temp dir that survives restarts: acknowledged writes survive SIGKILL. */
  persistent?: boolean;
}

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
  /** The server's working directory (AOF, cluster config), removed by destroy(). */
  readonly dir: string | undefined;
  #args: string[];

  private constructor(port: number, url: string, external: boolean, options: LocalRedisOptions = {}) {
    this.port = port;
    this.url = url;
    this.external = external;
    this.#args = options.args ?? [];
    if (!external && (options.persistent || options.args?.length)) this.dir = tempDir("masonite-redis-");
    if (options.persistent) this.#args.push("--appendonly", "yes", "--appendfsync", "always");
  }

  /**
   * A local redis-server of the test's own even when REDIS_URL is set, for tests that kill,
   * slow down or replicate it; skips loudly (fails under REQUIRE_REDIS=1) without the binary.
   */
  static async startLocalOrSkip(t: Skippable, options: LocalRedisOptions = {}): Promise<RedisServer | undefined> {
    if (!redisToolsOrSkip(t, ["redis-server"])) return undefined;
    return RedisServer.startLocal(options);
  }

  /** Starts a local redis-server on a free port (the binary must exist). */
  static async startLocal(options: LocalRedisOptions = {}, port?: number): Promise<RedisServer> {
    const chosen = port ?? (await freePort());
    const server = new RedisServer(chosen, `redis://127.0.0.1:${chosen}`, false, options);
    await server.start();
    return server;
  }

  get pid(): number | undefined {
    return this.#process?.exitCode === null ? this.#process.pid : undefined;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitCode === null;
  }

  /**
   * Starts one, or explains loudly why the Redis tests cannot run: a skip normally, a
   * failure when REQUIRE_REDIS=1 (as in CI).
   */
  static async startOrSkip(t: Skippable): Promise<RedisServer | undefined> {
    if (process.env.REDIS_URL) {
      const url = new URL(process.env.REDIS_URL);
      return new RedisServer(Number(url.port || 6379), process.env.REDIS_URL, true);
    }
    if (!redisToolsOrSkip(t, ["redis-server"], "the Redis tests need it, or REDIS_URL")) return undefined;
    return RedisServer.startLocal();
  }

  async start(): Promise<void> {
    if (this.external) throw new Error("cannot start an external Redis (REDIS_URL)");
    const base = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--enable-debug-command", "local"];
    const child = spawnTracked("redis-server", [...base, ...(this.dir ? ["--dir", this.dir] : []), ...this.#args]);
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
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
    this.#process = undefined;
  }

  /** Stops the server and removes its directory: what an after() hook calls. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) removeDir(this.dir);
  }

  /** Runs one command on a throwaway connection (the server may be slow or about to die). */
  command<T = unknown>(name: string, ...args: (string | number)[]): Promise<T> {
    return probeClient(this.port, (client) => client.call(name, ...args) as Promise<T>);
  }

  /** A plain client for inspecting what the app stored. */
  client(db = 0): Redis {
    const client = new Redis(this.url, { db });
    client.on("error", () => {}); // tests that stop the server expect this client to lose its connection
    return client;
  }
}

/** Waits until a replica reports its link to the master up and its initial sync done. */
export async function waitForReplicaSync(port: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(`the replica on port ${port} to sync`, () =>
    probeClient(port, async (c) => {
      const info = await c.info("replication");
      return /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info);
    }), timeoutMs, 100);
}

export interface SentinelGroupOptions {
  /** Sentinel `down-after-milliseconds`: how long the master must be silent before it is judged down. */
  downAfterMs?: number;
  /** Sentinel `failover-timeout`. */
  failoverTimeoutMs?: number;
}

/**
 * A master, one replica and three sentinels (quorum 2), all local, for failover tests.
 * The master is named "mymaster"; `stopMaster()` kills whichever server is master now.
 */
export class RedisSentinelGroup {
  readonly name = "mymaster";
  readonly servers: RedisServer[];
  readonly sentinels: { host: string; port: number }[];
  #sentinelProcesses: ChildProcess[];
  #dir: string;

  private constructor(servers: RedisServer[], sentinels: { host: string; port: number }[], processes: ChildProcess[], dir: string) {
    this.servers = servers;
    this.sentinels = sentinels;
    this.#sentinelProcesses = processes;
    this.#dir = dir;
  }

  static async startOrSkip(t: Skippable, options: SentinelGroupOptions = {}): Promise<RedisSentinelGroup | undefined> {
    if (!redisToolsOrSkip(t, ["redis-server", "redis-sentinel"])) return undefined;
    const dir = tempDir("masonite-sentinel-");
    const servers: RedisServer[] = [];
    const processes: ChildProcess[] = [];
    const group = new RedisSentinelGroup(servers, [], processes, dir);
    try {
      const master = await RedisServer.startLocal();
      servers.push(master);
      const replica = await RedisServer.startLocal({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
      servers.push(replica);
      await waitForReplicaSync(replica.port);
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const file = path.join(dir, `sentinel-${port}.conf`);
        writeFileSync(file, [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds mymaster ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout mymaster ${options.failoverTimeoutMs ?? 3000}`,
          "sentinel parallel-syncs mymaster 1",
          "",
        ].join("\n"));
        processes.push(spawnTracked("redis-sentinel", [file]));
        group.sentinels.push({ host: "127.0.0.1", port });
      }
      // A failover needs the sentinels to know the replica and each other (hello messages, every 2 s).
      for (const sentinel of group.sentinels) {
        await waitFor(`sentinel ${sentinel.port} to see the replica and the other sentinels`, () =>
          probeClient(sentinel.port, async (c) => {
            const replicas = (await c.call("SENTINEL", "REPLICAS", "mymaster")) as unknown[];
            const others = (await c.call("SENTINEL", "SENTINELS", "mymaster")) as unknown[];
            return replicas.length >= 1 && others.length >= 2;
          }), 20_000, 200);
      }
      return group;
    } catch (error) {
      await group.destroy();
      throw error;
    }
  }

  /** The master's port as the sentinels report it now. */
  async masterPort(): Promise<number | undefined> {
    for (const sentinel of this.sentinels) {
      try {
        const [, port] = await probeClient(sentinel.port, (c) => c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.name) as Promise<[string, string]>);
        return Number(port);
      } catch {
        // try the next sentinel
      }
    }
    return undefined;
  }

  serverOn(port: number): RedisServer {
    const server = this.servers.find((s) => s.port === port);
    if (!server) throw new Error(`no server of this group listens on ${port}`);
    return server;
  }

  async destroy(): Promise<void> {
    for (const child of this.#sentinelProcesses) {
      if (child.exitCode === null) {
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        await exited;
      }
    }
    for (const server of this.servers) await server.destroy();
    removeDir(this.#dir);
  }
}

export interface ClusterNode {
  id: string;
  port: number;
  role: "master" | "replica";
  /** The master's node id, for a replica. */
  masterId?: string;
  /** Hash slot ranges served, for a master. */
  slots: string[];
}

/**
 * A local Redis Cluster: `masters` masters with `replicas` replicas each, created with
 * `redis-cli --cluster create`, node timeout short so a failover takes a few seconds.
 */
export class RedisClusterGroup {
  readonly servers: RedisServer[];

  private constructor(servers: RedisServer[]) {
    this.servers = servers;
  }

  static async startOrSkip(t: Skippable, options: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {}): Promise<RedisClusterGroup | undefined> {
    if (!redisToolsOrSkip(t, ["redis-server", "redis-cli"])) return undefined;
    const count = (options.masters ?? 3) * (1 + (options.replicas ?? 1));
    const group = new RedisClusterGroup([]);
    try {
      for (let i = 0; i < count; i++) {
        // The cluster bus port is given explicitly: the default (port + 10000) may not exist for high ports.
        const busPort = await freePort();
        const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 1000), "--cluster-port", String(busPort)];
        group.servers.push(await RedisServer.startLocal({ args }));
      }
      const create = spawnSync("redis-cli", ["--cluster", "create", ...group.servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-replicas", String(options.replicas ?? 1), "--cluster-yes"], {
        encoding: "utf8",
        timeout: 30_000,
      });
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
      await group.waitHealthy();
      return group;
    } catch (error) {
      await group.destroy();
      throw error;
    }
  }

  /** Seed nodes for ioredis's Cluster. */
  get seeds(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: "127.0.0.1", port: s.port }));
  }

  /** The topology as a live node sees it. */
  async nodes(): Promise<ClusterNode[]> {
    for (const server of this.servers.filter((s) => s.running)) {
      try {
        const text = await server.command<string>("CLUSTER", "NODES");
        const nodes: ClusterNode[] = [];
        for (const line of text.trim().split("\n")) {
          const [id, address, flags, master, , , , , ...slots] = line.split(" ");
          if (/fail|noaddr|handshake/.test(flags!)) continue; // only nodes the cluster counts as live
          const port = Number(address!.split("@")[0]!.split(":")[1]);
          const replica = flags!.includes("slave");
          nodes.push({ id: id!, port, role: replica ? "replica" : "master", masterId: replica ? master : undefined, slots: replica ? [] : slots });
        }
        return nodes;
      } catch {
        // ask the next node
      }
    }
    throw new Error("no cluster node answered CLUSTER NODES");
  }

  /** Every live node says cluster_state:ok and every replica has synced with its master. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await waitFor("every cluster node to report cluster_state:ok and every replica to be in sync", async () => {
      for (const server of this.servers.filter((s) => s.running)) {
        const info = await server.command<string>("CLUSTER", "INFO");
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
        const replication = await server.command<string>("INFO", "replication");
        if (/role:slave/.test(replication) && !(/master_link_status:up/.test(replication) && /master_sync_in_progress:0/.test(replication))) return false;
      }
      return true;
    }, timeoutMs, 100);
  }

  serverOn(port: number): RedisServer {
    const server = this.servers.find((s) => s.port === port);
    if (!server) throw new Error(`no cluster node listens on ${port}`);
    return server;
  }

  async destroy(): Promise<void> {
    for (const server of this.servers) await server.destroy();
  }
}
