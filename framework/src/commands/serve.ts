import { spawn } from "node:child_process";
import { Application, type Kernel } from "../foundation/Application";
import { loadEnvironment } from "../foundation/env";
import { generateKey } from "../security/keys";
import { storeEnvValue } from "./envFile";

export interface ServeOptions {
  port: number;
  host: string;
  reload: boolean;
}

/** How long a shutdown may wait for in-flight requests before the process gives up. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * A development convenience with a production guard: without APP_KEY, development gets
 * a generated key written to .env; production refuses to start.
 */
export function ensureAppKey(root: string): void {
  loadEnvironment(root);
  if (process.env.APP_KEY) return;
  if ((process.env.APP_ENV ?? "development") === "production") {
    throw new Error('APP_KEY is not set and APP_ENV is production: generate one with "craft key" and set it in the environment.');
  }
  const key = generateKey();
  storeEnvValue(root, "APP_KEY", key);
  process.env.APP_KEY = key;
  console.log("No APP_KEY was set: generated one into .env.");
}

export async function serve(root: string, loadKernel: () => Promise<Kernel>, options: ServeOptions): Promise<void> {
  ensureAppKey(root);
  if (options.reload) {
    // Node's own watcher restarts the server whenever a loaded module changes.
    const args = ["--watch", ...process.execArgv, process.argv[1]!, "serve", "--port", String(options.port), "--host", options.host];
    const child = spawn(process.execPath, args, { stdio: "inherit", cwd: root });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.on("exit", (code) => process.exit(code ?? 0));
    return;
  }
  const app = await Application.create(await loadKernel());
  const url = await app.listen(options.port, options.host);
  console.log(`${app.kernel.config.app.NAME} is serving on ${url} (Ctrl-C to stop)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests, then stopping.`);
    setTimeout(() => {
      console.error(`Still busy after ${SHUTDOWN_GRACE_MS} ms; exiting anyway.`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT")).on("SIGTERM", () => stop("SIGTERM"));
}
