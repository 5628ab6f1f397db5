import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The framework package's folder: this repository's framework/, or an app's node_modules/masonite. */
export const FRAMEWORK_DIR = path.resolve(__dirname, "..", "..", "..");

/**
 * The app template, carried inside the framework package so `craft new` works where this
 * repository is absent. It is never edited by hand: `npm pack` (its prepack script)
 * rebuilds it from the repository root, which is the one source of the skeleton.
 */
export const SKELETON_DIR = path.join(FRAMEWORK_DIR, "skeleton");

/**
 * What of the repository root makes a new app, copied as it is. The rest stays behind:
 * framework/, bench/, CI, and the framework's own tests (only the example tests and the
 * environment they import travel).
 */
export const SKELETON_PATHS = [
  "craft.ts",
  "craft.js",
  ".env.example",
  "config",
  "app",
  "routes",
  "resources",
  "storage/public",
  "storage/logs/.gitkeep",
  "storage/framework/sessions/.gitignore",
  "tests/example.test.ts",
  "tests/support/env.ts",
] as const;

/** The scripts and tools of the repository's package.json that an app needs; bench and browser tooling are the framework's own. */
const APP_SCRIPTS = ["dev", "craft", "typecheck"];
const APP_DEV_DEPENDENCIES = ["typescript", "@types/node"];

/**
 * An app's production scripts, which the repository's differ from (there `npm start` serves
 * the TypeScript source): `npm run build` compiles to build/, and `npm start` runs that with
 * plain node, so a production install needs no compiler.
 */
const APP_PRODUCTION_SCRIPTS = { build: "node -r masonite/register craft.ts build", start: "node build/craft.js serve" };

interface PackageJson {
  name?: string;
  workspaces?: string[];
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

function pick(record: Record<string, string> = {}, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => key in record).map((key) => [key, record[key]!]));
}

/**
 * The repository this framework folder belongs to, when it is the workspace next to the
 * skeleton (as in development); undefined for an installed copy under node_modules.
 */
export function findRepositoryRoot(frameworkDir: string = FRAMEWORK_DIR): string | undefined {
  const parent = path.dirname(frameworkDir);
  const manifest = path.join(parent, "package.json");
  if (!existsSync(manifest) || !existsSync(path.join(parent, "craft.ts"))) return undefined;
  const workspaces = readJson<PackageJson>(manifest).workspaces ?? [];
  return workspaces.includes(path.basename(frameworkDir)) ? parent : undefined;
}

/**
 * The new app's package.json before `craft new` names it and points it at the framework. Its
 * development dependencies are the framework's own (the compiler, SWC for `masonite/register`,
 * the @types its declarations name), which an installed framework does not bring along.
 */
export function appPackageJson(repository: PackageJson, framework: PackageJson = readJson(path.join(FRAMEWORK_DIR, "package.json"))): PackageJson & Record<string, unknown> {
  const integration = repository.scripts?.["test:integration"];
  if (!integration) throw new Error("The repository's package.json needs a test:integration script: a new app's npm test runs it.");
  return {
    name: "masonite-app",
    version: "0.1.0",
    private: true,
    description: "A Masonite-style TypeScript app",
    bin: repository.bin,
    // An app's tests are the repository's integration tests' kind; the framework's unit tests stay behind.
    scripts: { ...APP_PRODUCTION_SCRIPTS, ...pick(repository.scripts, APP_SCRIPTS), test: `npm run --silent typecheck && ${integration}` },
    engines: repository.engines,
    dependencies: { ...repository.dependencies },
    devDependencies: { ...framework.devDependencies, ...pick(repository.devDependencies, APP_DEV_DEPENDENCIES) },
  };
}

interface Tsconfig {
  compilerOptions?: Record<string, unknown>;
  include?: string[];
}

/**
 * The repository's tsconfig, checking only the folders an app has, against the framework's
 * declarations: the "masonite-source" condition picks sources only the repository has.
 */
function appTsconfig(repository: Tsconfig, appDir: string): Tsconfig {
  const { customConditions: _sourcesOfTheRepository, ...compilerOptions } = repository.compilerOptions ?? {};
  return { ...repository, compilerOptions, include: (repository.include ?? []).filter((entry) => existsSync(path.join(appDir, entry))) };
}

/** Copies the skeleton out of the repository root into `destination`, replacing what was there. */
export function buildSkeleton(repositoryRoot: string, destination: string = SKELETON_DIR): void {
  const staging = `${destination}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const relative of SKELETON_PATHS) {
      const from = path.join(repositoryRoot, relative);
      if (!existsSync(from)) throw new Error(`The skeleton needs ${relative}, which is missing from ${repositoryRoot}.`);
      cpSync(from, path.join(staging, relative), { recursive: true });
    }
    const manifest = appPackageJson(readJson<PackageJson>(path.join(repositoryRoot, "package.json")));
    writeFileSync(path.join(staging, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const tsconfig = appTsconfig(readJson<Tsconfig>(path.join(repositoryRoot, "tsconfig.json")), staging);
    writeFileSync(path.join(staging, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  // Swap whole folders, so a reader never sees a skeleton that is half old, half new.
  const previous = `${destination}.previous-${process.pid}`;
  if (existsSync(destination)) renameSync(destination, previous);
  renameSync(staging, destination);
  rmSync(previous, { recursive: true, force: true });
}
