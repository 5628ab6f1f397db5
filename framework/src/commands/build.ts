import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type * as TypeScript from "typescript";
import { sentence } from "../core/errors";
import { CommandError, describeFsError } from "./errors";

/** Where `craft build` writes the app, relative to its root. */
export const BUILD_DIR = "build";

/** The app's code: what is compiled, each a folder or a file of the app's root. */
const COMPILED = ["app", "config", "routes", "craft.ts"];

/** What the compiled app reads at run time besides its code, copied as it is. */
const COPIED = ["resources", path.join("storage", "public")];

/** Folders the running app writes into (logs, the file session driver): made empty, never cleared. */
const RUNTIME_FOLDERS = [path.join("storage", "logs"), path.join("storage", "framework", "sessions")];

/**
 * The options the app's tsconfig cannot change: CommonJS files in build/ with source maps,
 * decorator metadata on (method injection reads it; `masonite/register` forces it too), and
 * the framework's published declarations rather than its sources, as an installed app sees them.
 */
const FORCED_OPTIONS = {
  noEmit: false,
  emitDeclarationOnly: false,
  declaration: false,
  declarationMap: false,
  composite: false,
  incremental: false,
  sourceMap: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  customConditions: [],
} satisfies TypeScript.CompilerOptions;

export interface BuildResult {
  /** The build folder. */
  out: string;
  /** How many of the app's TypeScript files were compiled. */
  compiled: number;
}

/** The app's own TypeScript compiler: a development dependency, absent from a production install. */
function loadTypeScript(root: string): typeof TypeScript {
  let entry: string;
  try {
    entry = require.resolve("typescript", { paths: [root] });
  } catch (error) {
    throw new CommandError("E_NO_TYPESCRIPT", `craft build needs TypeScript, which is not installed in ${root} (a production install leaves it out): build in a full install ("npm install", or "npm install --save-dev typescript"), then run build/ where "npm ci --omit=dev" installed.`, error);
  }
  return require(entry) as typeof TypeScript;
}

/** tsc's own rendering of diagnostics: colours and source lines on a terminal, `file(line,col): error TS...` otherwise. */
function formatDiagnostics(ts: typeof TypeScript, root: string, diagnostics: readonly TypeScript.Diagnostic[]): string {
  const host: TypeScript.FormatDiagnosticsHost = {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  return (process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host)).trimEnd();
}

/** The app's tsconfig with FORCED_OPTIONS, its files narrowed to the compiled folders. */
function readProject(ts: typeof TypeScript, root: string, out: string): TypeScript.ParsedCommandLine {
  const configFile = path.join(root, "tsconfig.json");
  if (!existsSync(configFile)) throw new CommandError("E_NO_TSCONFIG", `craft build reads ${configFile}, which is missing; an app made by craft new has one.`);
  const problems: TypeScript.Diagnostic[] = [];
  const host: TypeScript.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => problems.push(diagnostic),
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, { ...FORCED_OPTIONS, rootDir: root, outDir: out }, host);
  const errors = [...problems, ...(parsed?.errors ?? [])];
  if (!parsed || errors.length) throw new CommandError("E_BAD_TSCONFIG", sentence(`tsconfig.json cannot be read: ${formatDiagnostics(ts, root, errors)}`));
  const compiled = COMPILED.map((entry) => path.join(root, entry));
  const inCompiled = (file: string) => compiled.some((entry) => file === entry || file.startsWith(entry + path.sep));
  return { ...parsed, fileNames: parsed.fileNames.map((file) => path.resolve(file)).filter(inCompiled) };
}

/** Removes what an earlier build wrote, leaving what the running app wrote (logs, sessions, a .env). */
function clearPreviousBuild(out: string): void {
  const owned = [...COMPILED.map((entry) => entry.replace(/\.ts$/, "")), "craft.js", "craft.js.map", ...COPIED];
  for (const entry of owned) rmSync(path.join(out, entry), { recursive: true, force: true });
}

/**
 * `craft build`: the app (app/, config/, routes/, craft.ts) type-checked, then compiled to
 * JavaScript in build/, with what it reads at run time (templates, public files) copied
 * beside it, so production runs `node build/craft.js serve`: plain Node, no compiler loaded.
 * A type error fails the build with tsc's message and leaves the previous build as it was.
 */
export function buildApp(root: string): BuildResult {
  const ts = loadTypeScript(root);
  const out = path.join(root, BUILD_DIR);
  const project = readProject(ts, root, out);
  if (!project.fileNames.includes(path.join(root, "craft.ts"))) {
    throw new CommandError("E_NO_ENTRY", `craft build compiles craft.ts, which tsconfig.json's "include" leaves out (or which is missing from ${root}); add "craft.ts" to "include".`);
  }
  const program = ts.createProgram({ rootNames: project.fileNames, options: project.options, projectReferences: project.projectReferences });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    throw new CommandError("E_TYPE_ERRORS", `the app does not type-check, so nothing was built:\n${formatDiagnostics(ts, root, errors)}\nFound ${errors.length} error${errors.length === 1 ? "" : "s"}.`);
  }

  try {
    clearPreviousBuild(out);
  } catch (error) {
    throw new CommandError("E_BUILD_FAILED", `cannot clear ${out}: ${describeFsError(error)}.`, error);
  }
  const emitted = program.emit();
  const emitErrors = emitted.diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (emitted.emitSkipped || emitErrors.length) {
    throw new CommandError("E_BUILD_FAILED", sentence(`tsc could not write ${out}:\n${formatDiagnostics(ts, root, emitErrors)}`));
  }
  try {
    for (const entry of COPIED) {
      if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), path.join(out, entry), { recursive: true });
    }
    for (const folder of RUNTIME_FOLDERS) mkdirSync(path.join(out, folder), { recursive: true });
  } catch (error) {
    throw new CommandError("E_BUILD_FAILED", `cannot copy the app's run-time files into ${out}: ${describeFsError(error)}.`, error);
  }
  return { out, compiled: project.fileNames.length };
}
