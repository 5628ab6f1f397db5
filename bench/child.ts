import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { ChildMessage, MemoryStats, ParentMessage, ServerStats } from "./protocol";
import type { ServerKind } from "./servers";

type Pending = { resolve: (message: ChildMessage) => void; reject: (error: Error) => void };
type Request = ParentMessage extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;

/** A server child process, started from bench/server.ts, and the questions the parent asks it. */
export class ServerProcess {
  readonly kind: ServerKind;
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  #child: ChildProcess;
  #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(kind: ServerKind, child: ChildProcess, port: number) {
    this.kind = kind;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.pid = child.pid!;
    this.#child = child;
    child.on("message", (message: ChildMessage) => {
      if (!("id" in message)) return;
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      pending?.resolve(message);
    });
    child.on("exit", (code) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`${kind} server exited (${code})`));
      this.#pending.clear();
    });
  }

  static start(kind: ServerKind, options: { root: string; env: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<ServerProcess> {
    const args = [...(options.nodeArgs ?? []), "--expose-gc", "-r", "masonite/register", path.join(__dirname, "server.ts"), kind];
    const child = spawn(process.execPath, args, { cwd: options.root, env: options.env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${kind} server did not start within 60 s`));
      }, 60_000);
      child.on("message", function first(message: ChildMessage) {
        if (message.type === "ready") {
          clearTimeout(timer);
          child.off("message", first);
          resolve(new ServerProcess(kind, child, message.port));
        } else if (message.type === "failed") {
          clearTimeout(timer);
          reject(new Error(`${kind} server failed to start: ${message.message}`));
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${kind} server exited (${code}) before it was ready`));
      });
    });
  }

  #ask(request: Request): Promise<ChildMessage> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...request, id } as ParentMessage);
    });
  }

  async stats(): Promise<ServerStats> {
    const reply = await this.#ask({ type: "stats" });
    return (reply as Extract<ChildMessage, { type: "stats" }>).stats;
  }

  /** Waits until the server finished every request the load generator left behind. */
  async settled(): Promise<ServerStats> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const stats = await this.stats();
      if (stats.inflight === 0 || Date.now() > deadline) return stats;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Memory after two full GCs in the child. */
  async memory(): Promise<MemoryStats> {
    const reply = await this.#ask({ type: "memory" });
    return (reply as Extract<ChildMessage, { type: "memory" }>).memory;
  }

  /** Asks the child to close and exit on its own (so --cpu-prof writes its profile). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 10_000);
    this.#ask({ type: "stop" }).catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }
}

/** Successes counted from a stats difference. */
export function okResponses(before: ServerStats, after: ServerStats): number {
  let count = 0;
  for (const [status, n] of Object.entries(after.statuses)) {
    if (Number(status) >= 200 && Number(status) < 300) count += n - (before.statuses[status] ?? 0);
  }
  return count;
}

export function allResponses(before: ServerStats, after: ServerStats): number {
  let count = 0;
  for (const [status, n] of Object.entries(after.statuses)) count += n - (before.statuses[status] ?? 0);
  return count;
}
