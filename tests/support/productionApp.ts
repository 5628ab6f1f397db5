// A new app taken to production the way its README says: `craft new`, a full install, `npm run
// build`, then build/ with package.json, the lockfile and vendor/ in a folder of their own where
// `npm ci --omit=dev` installs without the development tools; and running npm and an app's server
// as a developer's shell would. Shared by the production and craft tests and bench/startup.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a developer's shell would give a child: this process's app settings, npm's
 * script variables and the test runner's NODE_TEST_CONTEXT (which would make an app's
 * `node --test` a silent sub-runner of this one) stay out.
 */
export function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(APP_|SESSION_|REDIS_|LOG_LEVEL$|INIT_CWD$|NODE_TEST_CONTEXT$|npm_)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to the end (killed after `timeout` ms), keeping its output. */
export async function run(command: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeout?: number } = {}): Promise<Finished> {
  const child = spawn(command, args, { cwd, env: shellEnv(options.env), stdio: ["ignore", "pipe", "pipe"], timeout: options.timeout ?? 60_000 });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

export async function succeed(what: string, command: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeout?: number } = {}): Promise<Finished> {
  const result = await run(command, args, cwd, options);
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * `npm start -- --port <port>` in `cwd`, in a process group of its own, so the shell npm starts
 * and the node server below it stop together (`process.kill(-server.pid, ...)`).
 */
export function spawnNpmStart(cwd: string, port: number, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(NPM, ["start", "--", "--port", String(port)], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
}

/** Kills a server spawnNpmStart started, with its whole process group, unless it has ended already. */
export async function killServerGroup(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  process.kill(-server.pid!, "SIGKILL");
  await once(server, "exit");
}

/** Resolves once the server says it is serving; rejects when it exits first or stays silent for 30 s, with its output. */
export function untilServing(server: ChildProcess): Promise<void> {
  let output = "";
  server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start within 30 s:\n${output}`)), 30_000);
    server.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("is serving on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.on("exit", (code) => reject(new Error(`the app exited with ${code}:\n${output}`)));
  });
}

export interface ProductionApp {
  /** The app as `craft new` made it, with a full install and build/. */
  development: string;
  /** build/, package.json, the lockfile and vendor/, after `npm ci --omit=dev`. */
  production: string;
  /** What `npm ci --omit=dev` printed. */
  install: Finished;
}

/** What a production folder gets from the built app: the compiled app and what installs its dependencies. */
const SHIPPED = ["build", "package.json", "package-lock.json", "vendor"];

/** A new app in `parent`/blog, built, and shipped to `parent`/blog-production with `npm ci --omit=dev`. */
export async function productionApp(parent: string): Promise<ProductionApp> {
  const development = path.join(parent, "blog");
  const production = path.join(parent, "blog-production");
  await succeed("craft new", process.execPath, ["-r", "masonite/register", "craft.ts", "new", development, "--no-install"], REPO, { timeout: 180_000 });
  // Package tarballs come from npm's cache (the repository's own install filled it); the new app
  // has no lockfile yet, so npm may still ask the registry for metadata.
  await succeed("npm install", NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund"], development, { timeout: 300_000 });
  await succeed("npm run build", NPM, ["run", "build"], development, { timeout: 180_000 });
  mkdirSync(production);
  for (const entry of SHIPPED) cpSync(path.join(development, entry), path.join(production, entry), { recursive: true });
  // With the lockfile every tarball is in the cache already: --offline proves nothing is fetched.
  const install = await succeed("npm ci --omit=dev", NPM, ["ci", "--omit=dev", "--offline", "--no-audit", "--no-fund"], production, { timeout: 300_000 });
  return { development, production, install };
}

/** Every package installed under `dir`/node_modules, nested ones too, by name (npm's hidden lockfile lists them). */
export function installedPackages(dir: string): string[] {
  const lock = JSON.parse(readFileSync(path.join(dir, "node_modules", ".package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages).map((location) => location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length));
}

/** The bytes of every file under `dir`. */
export function folderSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const stats = statSync(path.join(dir, entry), { throwIfNoEntry: false });
    if (stats?.isFile()) total += stats.size;
  }
  return total;
}
