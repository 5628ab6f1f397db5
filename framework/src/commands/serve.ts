import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { InvalidArgumentError } from "commander";
import { Application, type Kernel } from "../foundation/Application";
import { loadEnvironment } from "../core/env";
import { appEnvironment } from "../core/environment";
import { generateKey } from "../security/keys";
import { storeEnvValue } from "./envFile";
import { CommandError } from "./errors";
import { isServiceOutage, RELOAD_WORKER_ENV, retryWhileServiceDown, serveLoadError, superviseReload } from "./reload";

export interface ServeOptions {
  port: number;
  host: string;
  reload: boolean;
  /** Worker processes sharing the port (Node's cluster module); 1 serves from this process. */
  workers?: number;
  /** With `reload`: type-check in the background and print the errors (on unless turned off). */
  typecheck?: boolean;
}

/** How long a shutdown may wait for in-flight requests before the process gives up. */
const SHUTDOWN_GRACE_MS = 10_000;
/** A worker that dies after it was serving is replaced after this pause. */
const RESTART_DELAY_MS = 500;

/**
 * A development convenience: without APP_KEY, development gets a generated key written to
 * .env. Elsewhere nothing is generated; whatever needs the key (the cookie session store)
 * refuses to start without one, and an app without it needs none.
 */
export function ensureAppKey(root: string): void {
  loadEnvironment(root);
  if (process.env.APP_KEY || appEnvironment() !== "development") return;
  const key = generateKey();
  storeEnvValue(root, "APP_KEY", key);
  process.env.APP_KEY = key;
  console.log("No APP_KEY was set: generated one into .env.");
}

/**
 * `craft serve`. One process by default; with `workers` > 1 this process becomes a cluster
 * primary that forks the workers, which all serve the same port. On SIGTERM or SIGINT
 * (Ctrl-C) every serving process stops accepting, finishes its in-flight requests (session
 * writes included), closes its Redis connections and exits 0, or 1 past the grace period.
 * With `reload` this process only supervises (reload.ts): the server runs in a child it
 * restarts on changes, and a child whose app fails to load answers with the error instead.
 */
export async function serve(root: string, loadKernel: () => Promise<Kernel>, options: ServeOptions): Promise<void> {
  const environment = { ...process.env };
  ensureAppKey(root);
  const workers = options.workers ?? 1;
  const development = appEnvironment() === "development";
  if (options.reload) {
    if (!development) {
      throw new CommandError(
        "E_RELOAD_OUTSIDE_DEVELOPMENT",
        `serve --reload is for development, and the environment is ${appEnvironment()}: while the app fails to load, it shows the compiler's message and the app's file paths to every client. Run craft serve without --reload, or set APP_ENV=development on a machine only you can reach.`,
      );
    }
    return superviseReload(root, { port: options.port, host: options.host, workers, typecheck: options.typecheck ?? true }, environment);
  }
  const start = workers > 1 && cluster.isPrimary ? () => runPrimary(loadKernel, options, workers) : () => runServer(loadKernel, options);
  // The stand-in page shows source and paths: only in development (an edited .env may have left it).
  if (!process.env[RELOAD_WORKER_ENV] || !cluster.isPrimary || !development) return start();
  try {
    await start();
  } catch (error) {
    if (isServiceOutage(error)) await retryWhileServiceDown(start, error, options.port, options.host);
    else await serveLoadError(error, options.port, options.host);
  }
}

/** One serving process: the whole app in a single process, or one cluster worker. */
async function runServer(loadKernel: () => Promise<Kernel>, options: ServeOptions): Promise<void> {
  const app = await Application.create(await loadKernel());
  const url = await app.listen(options.port, options.host);
  // A worker stays quiet: its primary announces the URL once for all of them.
  if (!cluster.isWorker) console.log(`${app.kernel.config.app.NAME} is serving on ${url} (Ctrl-C to stop)`);
  const who = cluster.isWorker ? `worker ${process.pid}` : "";
  // Under --reload the supervisor's line says why the server stops; the shutdown story would bury it.
  const tellsStop = !cluster.isWorker && !process.env[RELOAD_WORKER_ENV];
  let stopping = false;
  const stop = (signal: string) => {
    // Ctrl-C reaches a worker twice (from the terminal and from its primary): the first one counts.
    if (stopping) return;
    stopping = true;
    if (tellsStop) console.log(`${signal}: finishing in-flight requests, then stopping.`);
    setTimeout(() => {
      console.error(`${who ? `${who}: ` : ""}Still busy after ${SHUTDOWN_GRACE_MS} ms; exiting anyway.`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => {
        if (tellsStop) console.log("Stopped: in-flight requests finished, session store closed.");
        process.exit(0);
      },
      (error: Error) => {
        console.error(`${who ? `${who}: ` : ""}Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT")).on("SIGTERM", () => stop("SIGTERM"));
}

/**
 * The cluster primary: forks the workers (they re-run this command and land in runServer),
 * announces the URL once they all listen, replaces a worker that dies while serving, and on
 * a signal stops them all and exits 0 only if each of them stopped cleanly.
 */
async function runPrimary(loadKernel: () => Promise<Kernel>, options: ServeOptions, count: number): Promise<void> {
  const name = (await loadKernel()).config.app.NAME;
  const listened = new Set<number>();
  let announced = false;
  let stopping = false;
  let failed = false;
  // As in runServer: under --reload the supervisor says why the server stops.
  const tellsStop = !process.env[RELOAD_WORKER_ENV];

  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  const finish = () => {
    if (live().length > 0) return;
    if (stopping && !failed && tellsStop) console.log("Stopped: every worker finished its in-flight requests and closed its session store.");
    process.exit(failed ? 1 : 0);
  };
  const stopAll = (why: string) => {
    if (stopping) return;
    stopping = true;
    if (tellsStop) console.log(`${why}: stopping ${live().length} worker(s); each finishes its in-flight requests.`);
    for (const worker of live()) worker.process.kill("SIGTERM");
    setTimeout(() => {
      console.error(`Workers still busy after ${SHUTDOWN_GRACE_MS} ms; killing them.`);
      for (const worker of live()) worker.process.kill("SIGKILL");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 2000).unref();
    finish();
  };

  cluster.on("listening", (worker: Worker, address: AddressInfo | { port: number; address: string }) => {
    listened.add(worker.id);
    if (!announced && listened.size >= count) {
      announced = true;
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      console.log(`${name} is serving on http://${host}:${address.port} with ${count} workers (Ctrl-C to stop)`);
    }
  });
  cluster.on("exit", (worker: Worker, code: number | null, signal: string | null) => {
    const clean = code === 0 && !signal;
    if (stopping) {
      if (!clean) failed = true;
      return finish();
    }
    if (!listened.has(worker.id)) {
      // It never got to serve: configuration or start-up trouble, which restarting would only repeat.
      console.error(`A worker failed to start (exit ${code ?? signal}); stopping.`);
      failed = true;
      return stopAll("start-up failure");
    }
    console.error(`Worker ${worker.process.pid} stopped unexpectedly (${signal ?? `exit ${code}`}); starting another.`);
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, RESTART_DELAY_MS);
  });

  process.on("SIGINT", () => stopAll("SIGINT")).on("SIGTERM", () => stopAll("SIGTERM"));
  for (let i = 0; i < count; i++) cluster.fork();
}

/** Parses `--workers`: a whole number from 1, or "auto" for one per CPU. */
export function workerCount(value: string): number {
  if (value === "auto") return Math.max(1, availableParallelism());
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected a number of workers from 1 to 256, or "auto".');
  return n;
}
