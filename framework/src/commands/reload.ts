import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { escapeHtml } from "../core/html";
import { watchTypes } from "./typecheck";

/** Set in the environment of the server process that a `--reload` supervisor runs. */
export const RELOAD_WORKER_ENV = "CRAFT_RELOAD_WORKER";

/** Edits arriving within this window (a save that writes and renames, a formatter pass) make one restart. */
const DEBOUNCE_MS = 100;
/** A server still busy this long after SIGTERM is killed: its own grace period has passed by then. */
const KILL_AFTER_MS = 12_000;

/** What the supervisor watches, relative to the app's root. */
const WATCHED = ["app", "config", "routes", "resources", ".env"];
/** In development the ViewFactory re-reads every template on each render, so template edits need no restart. */
const TEMPLATES = path.join("resources", "templates");

export interface ReloadOptions {
  port: number;
  host: string;
  workers: number;
  /** Run `tsc --watch` beside the server and print its errors (typecheck.ts). */
  typecheck: boolean;
}

/** What Node can load: only these files of app/, config/ and routes/ are the server's code. */
const MODULE = /\.(c|m)?[jt]s$|\.json$/;

/** Editor droppings: swap, lock and backup files, and vim's write-permission probe. */
function isScratchFile(file: string): boolean {
  const name = path.basename(file);
  return name.startsWith(".") || name.endsWith("~") || /\.sw[a-p]x?$/.test(name) || name === "4913";
}

/**
 * Whether a change to `file` (a path under the app's root) calls for a restart. The temporary
 * file of a save by rename (sed's `sedXXXXXX`, an editor's `.name.swp`) is not: in the code
 * folders only modules count, and under resources/ scratch files are skipped.
 */
function needsRestart(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  if (relative === ".env") return true;
  if (relative === TEMPLATES || relative.startsWith(TEMPLATES + path.sep)) return false;
  if (relative.startsWith("resources" + path.sep)) return !isScratchFile(relative);
  return MODULE.test(relative) && !isScratchFile(relative);
}

/** A concrete port for `--port 0`, so every restarted server answers on the same one. */
async function settlePort(port: number, host: string): Promise<number> {
  if (port !== 0) return port;
  const probe = createServer();
  probe.listen(0, host);
  await once(probe, "listening");
  const chosen = (probe.address() as AddressInfo).port;
  probe.close();
  await once(probe, "close");
  return chosen;
}

/**
 * `craft serve --reload`: runs the server in a child process and restarts it, after a short
 * debounce, whenever a file of the app changes. The folders are watched, not the files Node
 * loaded, so a file replaced by rename (`sed -i`, editors' safe writes) stays watched, and
 * `.env` counts too. The child gets the environment this command was started with, without
 * what `.env` added, so an edited `.env` takes effect on the restart.
 */
export async function superviseReload(root: string, options: ReloadOptions, environment: NodeJS.ProcessEnv): Promise<void> {
  const port = await settlePort(options.port, options.host);
  const args = [...process.execArgv, process.argv[1]!, "serve", "--port", String(port), "--host", options.host, "--workers", String(options.workers)];
  let child: ChildProcess | undefined;
  let restartWanted = false;
  let stopping = false;

  const start = () => {
    const server = spawn(process.execPath, args, { stdio: "inherit", cwd: root, env: { ...environment, [RELOAD_WORKER_ENV]: "1" } });
    child = server;
    server.on("exit", (code, signal) => {
      child = undefined;
      if (stopping) process.exit(code ?? 0);
      if (restartWanted) {
        restartWanted = false;
        return start();
      }
      console.error(`craft: the server stopped (${signal ?? `exit ${code}`}); it starts again on the next change.`);
    });
  };

  const restart = (file: string) => {
    console.log(`craft: ${path.relative(root, file)} changed, restarting`);
    if (!child) return start();
    if (restartWanted) return;
    restartWanted = true;
    const stopped = child;
    stopped.kill("SIGTERM");
    setTimeout(() => stopped.exitCode === null && stopped.signalCode === null && stopped.kill("SIGKILL"), KILL_AFTER_MS).unref();
  };

  let first: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const noticed = (file: string) => {
    if (!needsRestart(root, file)) return;
    first ??= file;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const named = first!;
      first = undefined;
      restart(named);
    }, DEBOUNCE_MS);
  };

  // Loaded here, not at the top: `craft serve` without --reload (production) never needs it.
  const { watch } = require("chokidar") as typeof import("chokidar");
  const watcher = watch(
    WATCHED.map((entry) => path.join(root, entry)),
    { ignoreInitial: true, ignored: (file) => path.basename(file) === "node_modules" },
  );
  watcher.on("all", (_event, file) => noticed(file));
  await once(watcher, "ready");

  const types = options.typecheck ? watchTypes(root) : undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void watcher.close();
    types?.kill();
    if (!child) process.exit(0);
    child.kill(signal);
  };
  process.on("SIGINT", stop).on("SIGTERM", stop);
  start();
}

/**
 * A compiler's message as a developer wants to read it: swc's code frame without the native
 * backtrace it appends when RUST_BACKTRACE is set.
 */
export function loadErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [frame] = error.message.split(/\n\s*Stack backtrace:/);
  // A compile error's message is the whole story; anything else also needs its stack.
  const text = /^\s*(x|×) /.test(frame!) ? frame! : (error.stack ?? frame!);
  return text.replace(/\s+$/, "");
}


/** Start-up failed for want of a service (Redis unreachable), not for the code: it may start once the service is back. */
export function isServiceOutage(error: unknown): boolean {
  for (let link = error; link instanceof Error; link = link.cause) {
    if (/^E_\w+_UNREACHABLE$/.test(String((link as { code?: unknown }).code))) return true;
  }
  return false;
}

/** A stand-in server on the app's port, answering every request with `page`. */
async function standIn(page: string, port: number, host: string, status = 500): Promise<ReturnType<typeof createServer>> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    response.end(page);
  });
  server.listen(port, host);
  await once(server, "listening");
  return server;
}

function errorPage(title: string, advice: string, text: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8">${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ""}<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>${title}</h1>
<p>${advice}</p>
<pre style="background: #f6f6f6; padding: 1rem; overflow: auto">${escapeHtml(text)}</pre>
</body>
</html>
`;
}

function shownAddress(port: number, host: string): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Under `--reload`, an app that fails to load (a syntax error, a bad import) is answered by
 * this stand-in on the app's port, so the browser shows the error instead of a refused
 * connection; the supervisor replaces it with the real app on the next change.
 */
export async function serveLoadError(error: unknown, port: number, host: string): Promise<void> {
  const text = loadErrorText(error);
  await standIn(errorPage("The app failed to load", "Fix the file and save it: the server restarts by itself.", text), port, host);
  console.error(`craft: the app failed to load; ${shownAddress(port, host)} shows the error until the next change.\n${text}`);
  // Nothing is in flight worth finishing: the stand-in holds no state.
  const stop = () => process.exit(0);
  process.on("SIGINT", stop).on("SIGTERM", stop);
}

/** The first wait before trying start-up again, doubled after each failure up to the longest. */
const RETRY_FIRST_MS = 1_000;
const RETRY_LONGEST_MS = 10_000;

/**
 * Under `--reload`, start-up that failed because a service is down (Redis) is tried again by
 * itself, with backoff, until it succeeds: a saved file is not what brings Redis back. Between
 * attempts the stand-in page says so, and reloads itself. A failure of another kind ends the
 * retrying with the usual load-error page.
 */
export async function retryWhileServiceDown(start: () => Promise<void>, error: unknown, port: number, host: string, firstDelayMs = RETRY_FIRST_MS): Promise<void> {
  // Nothing is served yet, and a failed attempt holds nothing worth closing.
  const stop = () => process.exit(0);
  process.on("SIGINT", stop).on("SIGTERM", stop);
  let failure = error;
  let delay = firstDelayMs;
  console.error(`craft: the app could not start because a service it needs is down; retrying by itself (${shownAddress(port, host)} says so).\n${(error as Error).message}`);
  for (;;) {
    const seconds = Math.ceil(delay / 1000);
    const page = errorPage(
      "Waiting for a service the app needs",
      `The app could not start because a service it needs is down. Start-up is retried by itself, next in ${seconds} s; this page reloads until the app answers. No need to save a file.`,
      (failure as Error).message ?? String(failure),
      seconds,
    );
    const server = await standIn(page, port, host, 503);
    await new Promise((resolve) => setTimeout(resolve, delay));
    server.close();
    server.closeAllConnections();
    await once(server, "close");
    try {
      await start();
      process.off("SIGINT", stop).off("SIGTERM", stop);
      return;
    } catch (next) {
      if (!isServiceOutage(next)) {
        process.off("SIGINT", stop).off("SIGTERM", stop);
        return serveLoadError(next, port, host);
      }
      failure = next;
      delay = Math.min(delay * 2, RETRY_LONGEST_MS);
    }
  }
}
