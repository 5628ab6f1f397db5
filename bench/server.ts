// One benchmarked server, run by bench/run.ts as a child process:
//   node -r masonite/register --expose-gc bench/server.ts <kind>
// It listens on a free loopback port, says so over IPC, and answers the parent's questions
// (response counts, Redis commands sent, memory after a full GC) until told to stop.
import "./env";
import { createServer, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { countStatements, serverBackendName } from "./database";
import type { ChildMessage, ParentMessage, ServerStats } from "./protocol";
import { buildServer, SERVER_KINDS, type ServerKind } from "./servers";

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const kind = process.argv[2] as ServerKind;
  if (!SERVER_KINDS.includes(kind)) throw new Error(`unknown server kind ${JSON.stringify(kind)} (known: ${SERVER_KINDS.join(", ")})`);
  // Names this server's PostgreSQL connections, so the bench can tell their CPU time from the others'.
  process.env.PGAPPNAME = serverBackendName(process.pid);
  const built = await buildServer(kind, { redisUrl: process.env.BENCH_REDIS_URL, databaseUrl: process.env.BENCH_DATABASE_URL });

  const stats: ServerStats = { statuses: {}, setCookies: 0, inflight: 0, redisCalls: 0, sqlStatements: 0, cpuMicros: 0 };
  // Koa's listener returns a promise that settles once the middleware (session commit
  // included) finished, whether or not the client stayed to read the answer: counting there
  // tells how many requests the server really handled. Every server kind pays the same for it.
  const done = (res: ServerResponse) => {
    stats.inflight--;
    stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
    if (res.hasHeader("set-cookie")) stats.setCookies++;
  };
  const server = createServer((req, res) => {
    stats.inflight++;
    built.listener(req, res).then(
      () => done(res),
      () => done(res),
    );
  });
  server.keepAliveTimeout = 30_000;

  const redis = built.redis;
  if (redis) {
    // Every command the client sends waits for a reply of its own: one round trip each, even
    // when auto-pipelining lets the commands of concurrent requests share a socket write.
    const sendCommand = redis.sendCommand;
    redis.sendCommand = function (this: typeof redis, ...args: Parameters<typeof sendCommand>) {
      stats.redisCalls++;
      return sendCommand.apply(this, args);
    } as typeof sendCommand;
  }

  if (built.sql) countStatements(built.sql, () => stats.sqlStatements++);

  server.listen(0, "127.0.0.1");
  await once(server, "listening");

  process.on("message", (message: ParentMessage) => {
    switch (message.type) {
      case "stats": {
        const cpu = process.cpuUsage();
        send({ id: message.id, type: "stats", stats: { ...stats, statuses: { ...stats.statuses }, cpuMicros: cpu.user + cpu.system } });
        break;
      }
      case "memory": {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
        const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
        send({ id: message.id, type: "memory", memory: { rss, heapUsed, heapTotal, external, arrayBuffers } });
        break;
      }
      case "stop":
        server.close();
        server.closeAllConnections();
        built.close().finally(() => {
          send({ id: message.id, type: "stopped" });
          // process.exit, not a kill, so --cpu-prof gets to write its profile.
          setImmediate(() => process.exit(0));
        });
        break;
    }
  });
  // The parent went away: do not linger.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", port: (server.address() as AddressInfo).port });
}

main().catch((error: Error) => {
  send({ type: "failed", message: error.stack ?? error.message });
  process.exitCode = 1;
  setImmediate(() => process.exit(1));
});
