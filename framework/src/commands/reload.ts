import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import path from "node:path";
import chokidar from "chokidar";
import { escapeHtml } from "../core/html";

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

  const watcher = chokidar.watch(
    WATCHED.map((entry) => path.join(root, entry)),
    { ignoreInitial: true, ignored: (file) => path.basename(file) === "node_modules" },
  );
  watcher.on("all", (_event, file) => noticed(file));
  await once(watcher, "ready");

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void watcher.close();
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


/**
 * Under `--reload`, an app that fails to load (a syntax error, a bad import) is answered by
 * this stand-in on the app's port, so the browser shows the error instead of a refused
 * connection; the supervisor replaces it with the real app on the next change.
 */
export async function serveLoadError(error: unknown, port: number, host: string): Promise<void> {
  const text = loadErrorText(error);
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>The app failed to load</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>The app failed to load</h1>
<p>Fix the file and save it: the server restarts by itself.</p>
<pre style="background: #f6f6f6; padding: 1rem; overflow: auto">${escapeHtml(text)}</pre>
</body>
</html>
`;
  const server = createServer((_request, response) => {
    response.writeHead(500, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    response.end(page);
  });
  server.listen(port, host);
  await once(server, "listening");
  const shown = host.includes(":") ? `[${host}]` : host;
  console.error(`craft: the app failed to load; http://${shown}:${port} shows the error until the next change.\n${text}`);
  // Nothing is in flight worth finishing: the stand-in holds no state.
  const stop = () => process.exit(0);
  process.on("SIGINT", stop).on("SIGTERM", stop);
}
