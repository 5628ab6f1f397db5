import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateKey } from "../../security/keys";
import type { SqlDialectName } from "../../sessions/stores/database/schema";
import { databaseConnection } from "../../sessions/stores/databaseOptions";
import { storeEnvValue, withEnvValue } from "../envFile";
import { CommandError, describeFsError } from "../errors";
import { APP_GITIGNORE, appReadme, nextSteps } from "./appFiles";
import { runNpm } from "./npm";
import { packageNameProblem, suggestPackageName } from "./packageName";
import { FRAMEWORK_DIR, SKELETON_DIR } from "./skeleton";

export const SESSION_DRIVERS = ["cookie", "redis", "file", "memory", "database"] as const;
export type SessionDriverName = (typeof SESSION_DRIVERS)[number];

export interface NewAppOptions {
  /** Run `npm install` in the new app. */
  install: boolean;
  /** The session driver written into the new `.env`. */
  driver: SessionDriverName;
  /**
   * DATABASE_URL for the database driver, written into the new `.env`; its scheme picks the
   * client package the app depends on. PostgreSQL on this machine when not given.
   */
  databaseUrl?: string;
  /** Allow writing into a directory that already has files. */
  force: boolean;
  /** Where a relative directory is resolved from. */
  cwd: string;
  log?: (line: string) => void;
}

type TargetState = "missing" | "empty" | "non-empty";

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The client package each SQL dialect loads (the framework's optional peer dependencies). */
const DATABASE_CLIENTS: Record<SqlDialectName, string> = { postgres: "pg", mysql: "mysql2", sqlite: "better-sqlite3" };

/** The database driver's settings for a new app: DATABASE_URL, and the client its scheme needs at the framework's peer range. */
interface DatabaseSetup {
  url: string;
  client: string;
  range: string;
}

function databaseSetup(name: string, url: string | undefined): DatabaseSetup {
  const chosen = url ?? `postgres://postgres@127.0.0.1:5432/${name.replace(/[^a-z0-9_]/g, "_")}`;
  let dialect: SqlDialectName;
  try {
    dialect = databaseConnection({ url: chosen }, ".").dialect;
  } catch (error) {
    const problem = (error as Error).message.replace(/^config\/session\.ts: /, "").replace(/[.\s]+$/, "");
    throw new CommandError("E_BAD_DATABASE_URL", `--database-url is refused: ${problem} (the new app's .env gets it as DATABASE_URL).`, error);
  }
  const client = DATABASE_CLIENTS[dialect];
  const range = readJson<PackageJson>(path.join(FRAMEWORK_DIR, "package.json")).peerDependencies?.[client];
  if (!range) throw new CommandError("E_NO_SKELETON", `the framework's package.json names no version of "${client}" among its peerDependencies; reinstall the framework from a tarball made with "npm pack".`);
  return { url: chosen, client, range };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** Refuses a folder name npm would refuse as the app's package name. */
function checkName(name: string): void {
  const problem = packageNameProblem(name);
  if (problem) {
    throw new CommandError("E_BAD_APP_NAME", `"${name}" cannot be the app's npm package name: ${problem}. Choose a directory name like "${suggestPackageName(name)}".`);
  }
}

function checkTarget(target: string, force: boolean): TargetState {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw new CommandError("E_BAD_TARGET", `cannot create ${target}: ${describeFsError(error)}.`, error);
  }
  if (!isDirectory) throw new CommandError("E_BAD_TARGET", `${target} exists and is a file; choose another directory.`);
  if (readdirSync(target).length === 0) return "empty";
  if (!force) {
    throw new CommandError("E_TARGET_NOT_EMPTY", `${target} already exists and is not empty; choose another directory, or pass --force to write the app into it (files with the same names are replaced).`);
  }
  return "non-empty";
}

/**
 * A hidden folder next to the target (same file system, so the app can be renamed into
 * place in one step) holding the app's folder. The app's folder is made with mkdir, not
 * mkdtemp, so it gets the usual permissions rather than mkdtemp's owner-only ones.
 */
function createStaging(target: string): { holder: string; app: string } {
  try {
    const holder = mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.craft-new-`));
    const app = path.join(holder, "app");
    mkdirSync(app);
    return { holder, app };
  } catch (error) {
    throw cannotCreate(target, error);
  }
}

/**
 * A failure to create the app's folder. Some file systems (/proc, /sys) answer ENOENT to a
 * mkdir in a folder that is there: the parent is then named as not writable, not missing.
 */
function cannotCreate(target: string, error: unknown): CommandError {
  const parent = path.dirname(target);
  const parentExists = statSync(parent, { throwIfNoEntry: false })?.isDirectory() === true;
  if ((error as NodeJS.ErrnoException).code === "ENOENT" && parentExists) {
    return new CommandError("E_BAD_TARGET", `cannot create ${target}: the folder ${parent} exists but is not writable; choose a directory you can write to.`, error);
  }
  return new CommandError("E_BAD_TARGET", `cannot create ${target}: ${describeFsError(error)}.`, error);
}

/** Packs the framework with `npm pack` (whose prepack refreshes skeleton/) into the app's vendor/. */
async function packFramework(vendor: string): Promise<{ file: string; version: string }> {
  const { name, version } = readJson<PackageJson>(path.join(FRAMEWORK_DIR, "package.json"));
  mkdirSync(vendor);
  await runNpm(["pack", "--pack-destination", vendor, "--silent"], FRAMEWORK_DIR);
  const file = `${name}-${version}.tgz`;
  if (!existsSync(path.join(vendor, file))) throw new CommandError("E_PACK_FAILED", `npm pack did not produce vendor/${file}; run "npm pack" in ${FRAMEWORK_DIR} to see why.`);
  return { file, version };
}

/** Lays the skeleton and the app's own files into `dir`, next to vendor/. */
function writeApp(dir: string, name: string, framework: { file: string; version: string }, driver: SessionDriverName, database: DatabaseSetup | undefined): void {
  if (!existsSync(SKELETON_DIR)) {
    throw new CommandError("E_NO_SKELETON", `the framework package has no skeleton/ folder (${SKELETON_DIR}); reinstall it from a tarball made with "npm pack".`);
  }
  cpSync(SKELETON_DIR, dir, { recursive: true });
  const manifest = readJson<PackageJson>(path.join(dir, "package.json"));
  manifest.name = name;
  manifest.dependencies = { ...manifest.dependencies, masonite: `file:vendor/${framework.file}` };
  if (database) manifest.dependencies[database.client] = database.range;
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, "README.md"), appReadme(name, framework.file, framework.version, SESSION_DRIVERS));
  writeFileSync(path.join(dir, ".gitignore"), APP_GITIGNORE);
  let env = withEnvValue(readFileSync(path.join(dir, ".env.example"), "utf8"), "SESSION_DRIVER", driver);
  if (database) env = withEnvValue(env, "DATABASE_URL", database.url);
  writeFileSync(path.join(dir, ".env"), env, { mode: 0o600 });
  chmodSync(path.join(dir, "craft.js"), 0o755);
}

function moveIntoPlace(staging: string, target: string, state: TargetState): void {
  try {
    if (state === "empty") rmdirSync(target);
    if (state === "non-empty") {
      cpSync(staging, target, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (error) {
    throw new CommandError("E_BAD_TARGET", `cannot create ${target}: ${describeFsError(error)}.`, error);
  }
}

/** A path to type in the terminal: relative when that is shorter, quoted when it has spaces. */
function shellPath(cwd: string, target: string): string {
  const relative = path.relative(cwd, target);
  const shown = relative && !relative.startsWith("..") ? relative : target;
  return /\s/.test(shown) ? JSON.stringify(shown) : shown;
}

/**
 * `craft new <directory>`: a complete app or nothing. Everything that can fail on bad input
 * happens in a staging folder before the app appears under its name; npm install comes
 * after, since a failed install leaves a whole app that only needs `npm install` again.
 */
export async function newApp(directory: string, options: NewAppOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const target = path.resolve(options.cwd, directory);
  const name = path.basename(target);
  checkName(name);
  if (options.databaseUrl !== undefined && options.driver !== "database") throw new CommandError("E_BAD_DATABASE_URL", `--database-url is for --driver database, not --driver ${options.driver}; drop it, or add --driver database.`);
  const database = options.driver === "database" ? databaseSetup(name, options.databaseUrl) : undefined;
  const state = checkTarget(target, options.force);
  log(`Creating ${name} in ${target}`);
  const staging = createStaging(target);
  try {
    const framework = await packFramework(path.join(staging.app, "vendor"));
    log(`  packed the framework into vendor/${framework.file}`);
    writeApp(staging.app, name, framework, options.driver, database);
    moveIntoPlace(staging.app, target, state);
  } finally {
    rmSync(staging.holder, { recursive: true, force: true });
  }
  log(`  copied the app skeleton (session driver: ${options.driver}${database ? `, DATABASE_URL in .env, the client package "${database.client}"` : ""})`);

  let installFailure: Error | undefined;
  if (options.install) {
    log("  installing dependencies with npm install ...");
    await runNpm(["install", "--no-audit", "--no-fund"], target, { show: true }).catch((error: Error) => (installFailure = error));
  }
  storeEnvValue(target, "APP_KEY", generateKey());
  log("  generated an APP_KEY into .env");

  const cd = `cd ${shellPath(options.cwd, target)}`;
  if (installFailure) {
    throw new CommandError("E_INSTALL_FAILED", `${name} was created but npm install failed (${installFailure.message}); fix that, then run "${cd} && npm install".`);
  }
  log(nextSteps(name, cd, options.install));
  return target;
}
