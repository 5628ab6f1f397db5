import http from "node:http";
import net from "node:net";
import { CookieJar } from "masonite/testing";

/** One answer; status 0 is a connection-level failure (refused, reset), -1 a client-side timeout ("hung"). */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Milliseconds from sending to the end of the body (or the failure). */
  ms: number;
  error?: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A small keep-alive HTTP client for load: it never rejects, every outcome is a Reply. */
export class HttpClient {
  readonly base: URL;
  #agent: http.Agent;
  #timeoutMs: number;

  constructor(base: string, options: { keepAlive?: boolean; maxSockets?: number; timeoutMs?: number } = {}) {
    this.base = new URL(base);
    this.#agent = new http.Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 64 });
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  request(path: string, options: RequestOptions = {}): Promise<Reply> {
    const started = performance.now();
    return new Promise<Reply>((resolve) => {
      let settled = false;
      const done = (reply: Omit<Reply, "ms">) => {
        if (settled) return;
        settled = true;
        resolve({ ...reply, ms: performance.now() - started });
      };
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, path, method: options.method ?? "GET", headers: { accept: "application/json", ...options.headers }, agent: this.#agent },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on("error", (error) => done({ status: 0, headers: {}, body, error: (error as NodeJS.ErrnoException).code ?? error.message }));
        },
      );
      req.setTimeout(this.#timeoutMs, () => {
        done({ status: -1, headers: {}, body: "", error: "TIMEOUT" });
        req.destroy();
      });
      req.on("error", (error) => done({ status: 0, headers: {}, body: "", error: (error as NodeJS.ErrnoException).code ?? error.message }));
      req.end(options.body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** A visitor with its own cookie jar, like one browser. */
export class Visitor {
  readonly jar = new CookieJar();
  readonly client: HttpClient;

  constructor(client: HttpClient) {
    this.client = client;
  }

  async request(path: string, options: RequestOptions = {}): Promise<Reply> {
    const cookie = this.jar.header();
    const reply = await this.client.request(path, { ...options, headers: { ...(cookie ? { cookie } : {}), ...options.headers } });
    const set = reply.headers["set-cookie"];
    if (reply.status >= 200 && reply.status < 400 && set) this.jar.store(set);
    return reply;
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request(path, { headers });
  }
}

/**
 * Sends raw bytes as one HTTP/1.1 request on a fresh connection and reads the answer to
 * the end: for headers no well-behaved client would send (random bytes, 20 KB cookies).
 */
export function rawRequest(port: number, request: Buffer | string, timeoutMs = 10_000): Promise<{ status: number; head: string; body: string; error?: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect(port, "127.0.0.1");
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = split < 0 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? (error === "TIMEOUT" ? -1 : 0));
      resolve({ status, head, body: split < 0 ? "" : text.slice(split + 4), error: status > 0 ? undefined : error, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish("TIMEOUT"), timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => finish());
    socket.on("close", () => finish("CLOSED"));
    socket.on("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.write(request);
  });
}

/** Builds a raw GET with the given Cookie header bytes (latin1: every byte value is sendable). */
export function rawGet(path: string, port: number, cookie?: Buffer | string, extra = ""): Buffer {
  const parts: Uint8Array[] = [Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: application/json\r\nConnection: close\r\n${extra}`, "latin1")];
  if (cookie !== undefined) parts.push(Buffer.from("Cookie: ", "latin1"), typeof cookie === "string" ? Buffer.from(cookie, "latin1") : cookie, Buffer.from("\r\n", "latin1"));
  parts.push(Buffer.from("\r\n", "latin1"));
  return Buffer.concat(parts);
}

/**
 * Runs `work` on `concurrency` lanes until `keepGoing` says stop: each lane starts its
 * next request when its last one ended (a closed loop: like users who wait for the page).
 */
export async function closedLoop(concurrency: number, keepGoing: (i: number) => boolean, work: (i: number, lane: number) => Promise<void>): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      for (;;) {
        const i = next;
        if (!keepGoing(i)) return;
        next++;
        await work(i, lane);
      }
    }),
  );
  return next;
}

/**
 * Starts requests at a fixed rate whatever happens to earlier ones (an open loop: like
 * users who keep arriving), and reports the most requests ever outstanding at once.
 */
export async function openLoop(ratePerSecond: number, durationMs: number, work: (i: number) => Promise<void>): Promise<{ sent: number; maxOutstanding: number }> {
  let sent = 0;
  let outstanding = 0;
  let maxOutstanding = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerSecond);
    while (sent < due) {
      const i = sent++;
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      const p: Promise<void> = work(i).finally(() => {
        outstanding--;
        pending.delete(p);
      });
      pending.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  return { sent, maxOutstanding };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
