import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateKey } from "../../security/keys";
import { storeEnvValue, withEnvValue } from "../envFile";
import { CommandError, describeFsError } from "../errors";
import { APP_GITIGNORE, appReadme, nextSteps } from "./appFiles";
import { runNpm } from "./npm";
import { packageNameProblem, suggestPackageName } from "./packageName";
import { FRAMEWORK_DIR, SKELETON_DIR } from "./skeleton";

export const SESSION_DRIVERS = ["cookie", "redis", "file", "memory"] as const;
export type SessionDriverName = (typeof SESSION_DRIVERS)[number];

export interface NewAppOptions {
  /** Run `npm install` in the new app. */
  install: boolean;
  /** The session driver written into the new `.env`. */
  driver: SessionDriverName;
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
function writeApp(dir: string, name: string, framework: { file: string; version: string }, driver: SessionDriverName): void {
  if (!existsSync(SKELETON_DIR)) {
    throw new CommandError("E_NO_SKELETON", `the framework package has no skeleton/ folder (${SKELETON_DIR}); reinstall it from a tarball made with "npm pack".`);
  }
  cpSync(SKELETON_DIR, dir, { recursive: true });
  const manifest = readJson<PackageJson>(path.join(dir, "package.json"));
  manifest.name = name;
  manifest.dependencies = { ...manifest.dependencies, masonite: `file:vendor/${framework.file}` };
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, "README.md"), appReadme(name, framework.file, framework.version, SESSION_DRIVERS));
  writeFileSync(path.join(dir, ".gitignore"), APP_GITIGNORE);
  const example = readFileSync(path.join(dir, ".env.example"), "utf8");
  writeFileSync(path.join(dir, ".env"), withEnvValue(example, "SESSION_DRIVER", driver), { mode: 0o600 });
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
  const state = checkTarget(target, options.force);
  log(`Creating ${name} in ${target}`);
  const staging = createStaging(target);
  try {
    const framework = await packFramework(path.join(staging.app, "vendor"));
    log(`  packed the framework into vendor/${framework.file}`);
    writeApp(staging.app, name, framework, options.driver);
    moveIntoPlace(staging.app, target, state);
  } finally {
    rmSync(staging.holder, { recursive: true, force: true });
  }
  log(`  copied the app skeleton (session driver: ${options.driver})`);

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
