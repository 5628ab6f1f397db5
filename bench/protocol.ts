/** Messages between bench/run.ts and a server child, over the IPC channel. */

export interface ServerStats {
  /** Requests the server finished handling since the child started (the client may have left), by status code. */
  statuses: Record<string, number>;
  /** Responses that set a cookie. */
  setCookies: number;
  /** Requests the server is still working on. */
  inflight: number;
  /** Commands the server's Redis client sent; each waits for its own reply, so one per round trip. */
  redisCalls: number;
  /** SQL statements the server's database client sent (pg: each waits for its reply, one round trip) or ran (SQLite, in the process). */
  sqlStatements: number;
  /** CPU time (user + system, every thread: JIT, GC helpers, libuv) the process used since it started, in µs. */
  cpuMicros: number;
}

export interface MemoryStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export type ParentMessage =
  | { id: number; type: "stats" }
  | { id: number; type: "memory" }
  | { id: number; type: "stop" };

export type ChildMessage =
  | { type: "ready"; port: number }
  | { type: "failed"; message: string }
  | { id: number; type: "stats"; stats: ServerStats }
  | { id: number; type: "memory"; memory: MemoryStats }
  | { id: number; type: "stopped" };
