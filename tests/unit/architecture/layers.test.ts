import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";

/**
 * The framework's folders form layers: each imports only folders under it, so there is no
 * cycle between folders, and the leaf (core) loads none of the HTTP stack. Type-only imports
 * count too: a cycle of types is still a cycle a reader has to untangle.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const SRC = path.join(ROOT, "framework", "src");
const HEAVY = ["koa", "@koa/router", "@koa/bodyparser", "tsyringe", "nunjucks", "ioredis"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/**
 * Every module a file names, read by the TypeScript parser rather than a pattern, so no form
 * is missed: bare `import "x"`, `import type`, `export ... from`, `import x = require()`,
 * `require()`, `import()` and `import("x").Type` in a type.
 */
function specifiers(fileName: string, text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      found.push(node.expression.text);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) found.push(first.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true));
  return found;
}

/** folder -> the framework folders and the packages its files import. */
function graph(): Map<string, { folders: Set<string>; packages: Set<string> }> {
  const folders = new Map<string, { folders: Set<string>; packages: Set<string> }>();
  for (const file of sourceFiles(SRC)) {
    const folder = path.relative(SRC, file).split(path.sep)[0]!;
    const entry = folders.get(folder) ?? { folders: new Set(), packages: new Set() };
    folders.set(folder, entry);
    for (const spec of specifiers(file, readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
        if (target !== folder && !target.startsWith("..")) entry.folders.add(target);
      } else {
        entry.packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
      }
    }
  }
  return folders;
}

/** Every cycle's folders, found by a depth-first walk (each reported once, from its first folder). */
function cycles(edges: Map<string, { folders: Set<string> }>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const walk = (node: string, trail: string[]) => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      const cycle = trail.slice(at);
      const key = [...cycle].sort().join(",");
      if (!seen.has(key)) {
        seen.add(key);
        found.push([...cycle, node]);
      }
      return;
    }
    for (const next of edges.get(node)?.folders ?? []) walk(next, [...trail, node]);
  };
  for (const node of edges.keys()) walk(node, []);
  return found;
}

/** The layer table of docs/architecture.md: each folder and the folders it may import. */
function layerTable(): Map<string, Set<string>> {
  const doc = readFileSync(path.join(ROOT, "docs", "architecture.md"), "utf8");
  const section = /## Layers\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? "";
  const table = new Map<string, Set<string>>();
  for (const line of section.split("\n")) {
    // | `folder/` | what it is | `a/`, `b/` |
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const folder = /^`([a-z]+)\/`$/.exec(cells[0] ?? "")?.[1];
    if (!folder || cells.length !== 3) continue;
    table.set(folder, new Set([...cells[2]!.matchAll(/`([a-z]+)\/`/g)].map((match) => match[1]!)));
  }
  return table;
}

describe("framework layers", () => {
  const folders = graph();

  test("the import reader sees every form of import, type-only and bare ones included", () => {
    const text = [
      'import "side-effect";',
      'import type { A } from "types-only";',
      'import { type B, c } from "./mixed";',
      'import * as d from "namespace";',
      'export * from "re-export";',
      'export type { E } from "re-export-type";',
      'import f = require("import-equals");',
      'const g = require("required");',
      'const h = import("dynamic");',
      'let i: import("type-query").I;',
      '// import "in-a-comment";',
      'const j = "import \'in-a-string\'";',
    ].join("\n");
    assert.deepEqual(specifiers("sample.ts", text), ["side-effect", "types-only", "./mixed", "namespace", "re-export", "re-export-type", "import-equals", "required", "dynamic", "type-query"]);
  });

  test("no import cycle between the folders of framework/src", () => {
    assert.deepEqual(cycles(folders).map((cycle) => cycle.join(" -> ")), []);
  });

  test("core is the leaf: no framework folder, none of koa, tsyringe, nunjucks or ioredis", () => {
    const core = folders.get("core")!;
    assert.deepEqual([...core.folders], []);
    assert.deepEqual([...core.packages].filter((p) => HEAVY.includes(p)), []);
  });

  test("docs/architecture.md's layer table lists every folder of framework/src, and only those", () => {
    const table = layerTable();
    assert.ok(table.size > 0, "docs/architecture.md has no layer table under its ## Layers heading");
    const onDisk = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    assert.deepEqual([...table.keys()].sort(), onDisk.sort());
  });

  test("each folder imports exactly the folders the layer table gives it", () => {
    const table = layerTable();
    const wrong: string[] = [];
    for (const [folder, allowed] of table) {
      const imported = folders.get(folder)?.folders ?? new Set<string>();
      for (const target of imported) if (!allowed.has(target)) wrong.push(`${folder}/ imports ${target}/, which the table in docs/architecture.md does not allow`);
      // The table describes the code: an edge nothing uses is taken out, so the page stays exact.
      for (const target of allowed) if (!imported.has(target)) wrong.push(`docs/architecture.md lets ${folder}/ import ${target}/, but nothing in ${folder}/ does: take it out of the table`);
    }
    assert.deepEqual(wrong, []);
  });

  test("foundation knows no plug-in: it imports nothing from sessions", () => {
    assert.equal(folders.get("foundation")!.folders.has("sessions"), false);
  });

  test("reading the configuration loads neither koa nor ioredis", () => {
    const loaded = execFileSync(
      process.execPath,
      ["-r", "masonite/register", "-e", 'require("./config/app.ts"); require("./config/session.ts"); console.log(JSON.stringify(Object.keys(require.cache)))'],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, APP_ENV: "testing" } },
    );
    const heavy = (JSON.parse(loaded) as string[]).filter((file) => /node_modules\/(koa|ioredis|@koa)\//.test(file));
    assert.deepEqual(heavy, []);
  });

  test("the sessions plug-in loads no body parser: CSRF checks only whether a body is pending", () => {
    const loaded = execFileSync(process.execPath, ["-r", "masonite/register", "-e", 'require("masonite/sessions"); console.log(JSON.stringify(Object.keys(require.cache)))'], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, APP_ENV: "testing" },
    });
    const parsers = (JSON.parse(loaded) as string[]).filter((file) => /node_modules\/(busboy|raw-body|qs)\/|framework\/src\/request\/(body|multipart|uploads)\.ts$/.test(file));
    assert.deepEqual(parsers, []);
  });
});
