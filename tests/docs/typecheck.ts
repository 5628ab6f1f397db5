// `npm run typecheck:docs`: type-checks every TypeScript block of README.md and docs/*.md
// against the framework as it is, so a page cannot show code that no longer compiles.
//
// Each page is a project of its own (a block's `project=<name>` makes another), laid over the
// repository: a block whose first line names an app file (`// routes/web.ts`) stands in for that
// file, any other block is a file of its own, and every import a block makes that no block of its
// project provides resolves as it would in the app (the skeleton's files, `masonite/<module>`,
// node_modules). The projects are virtual: nothing is written, so git status stays clean.
// Only the blocks' own diagnostics are reported, at their page and line.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { type DocBlock, repositoryBlocks } from "./blocks";

const ROOT = path.resolve(__dirname, "..", "..");
/** Where the virtual projects sit: inside the repository, so node_modules resolves from them, in a folder git ignores. */
const PROJECTS = path.join(ROOT, "test-output", "docs-projects");

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return { ...parsed.options, noEmit: true, typeRoots: [path.join(ROOT, "node_modules", "@types")] };
}

/** One project's files by absolute path; two blocks standing for the same file are a mistake in the page. */
function projectFiles(blocks: DocBlock[], root: string): Map<string, DocBlock> {
  const files = new Map<string, DocBlock>();
  for (const block of blocks) {
    const file = path.join(root, block.file);
    const other = files.get(file);
    if (other) throw new Error(`${block.page}:${block.line}: this block and the one at ${other.page}:${other.line} both stand for ${block.file} in project "${block.project}"; give one of them project=<another name>.`);
    files.set(file, block);
  }
  return files;
}

/** The block as a module of its own, so that a `declare module` in it augments rather than replaces. */
function moduleText(block: DocBlock): string {
  return `${block.code}\nexport {};\n`;
}

const parsed = new Map<string, ts.SourceFile>();

function check(project: string, blocks: DocBlock[], options: ts.CompilerOptions): string[] {
  const root = path.join(PROJECTS, project);
  const files = projectFiles(blocks, root);
  /** A path inside the project that no block provides is the repository's own file. */
  const real = (file: string) => (file.startsWith(root + path.sep) && !files.has(file) ? path.join(ROOT, path.relative(root, file)) : file);
  const host = ts.createCompilerHost(options, true);
  host.getCurrentDirectory = () => root;
  host.fileExists = (file) => files.has(file) || existsSync(real(file));
  host.directoryExists = (dir) => [...files.keys()].some((file) => file.startsWith(dir + path.sep)) || (existsSync(real(dir)) && statSync(real(dir)).isDirectory());
  host.readFile = (file) => {
    const block = files.get(file);
    return block ? moduleText(block) : existsSync(real(file)) ? readFileSync(real(file), "utf8") : undefined;
  };
  host.realpath = (file) => (files.has(file) ? file : existsSync(real(file)) ? realpathSync(real(file)) : file);
  host.getSourceFile = (file, language) => {
    const block = files.get(file);
    if (block) return ts.createSourceFile(file, moduleText(block), language, true);
    const cached = parsed.get(file);
    if (cached) return cached;
    const text = host.readFile(file);
    if (text === undefined) return undefined;
    const source = ts.createSourceFile(file, text, language, true);
    parsed.set(file, source);
    return source;
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => `${project}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  for (const [file, block] of files) {
    const source = program.getSourceFile(file)!;
    for (const diagnostic of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      problems.push(`${block.page}:${block.line + line}:${character + 1} TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")}`);
    }
  }
  return problems;
}

function main(): void {
  const { checked, partial } = repositoryBlocks(ROOT);
  if (checked.length === 0) throw new Error("typecheck:docs found no TypeScript block in README.md or docs/*.md; the extractor no longer reads the pages.");
  const projects = new Map<string, DocBlock[]>();
  for (const block of checked) projects.set(block.project, [...(projects.get(block.project) ?? []), block]);
  const options = compilerOptions();
  const problems = [...projects].flatMap(([project, blocks]) => check(project, blocks, options));
  const skipped = partial.map((block) => `${block.page}:${block.line}`).join(", ");
  console.log(`typecheck:docs: ${checked.length} TypeScript blocks in ${projects.size} projects checked; ${partial.length} marked partial and skipped${skipped ? ` (${skipped})` : ""}.`);
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    console.error(`typecheck:docs: ${problems.length} type error(s) in the documentation's code blocks; fix the page (the framework is what it is).`);
    process.exitCode = 1;
  }
}

main();
