import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

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

function specifiers(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|(?:import|require)\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

/** folder -> the framework folders and the packages its files import. */
function graph(): Map<string, { folders: Set<string>; packages: Set<string> }> {
  const folders = new Map<string, { folders: Set<string>; packages: Set<string> }>();
  for (const file of sourceFiles(SRC)) {
    const folder = path.relative(SRC, file).split(path.sep)[0]!;
    const entry = folders.get(folder) ?? { folders: new Set(), packages: new Set() };
    folders.set(folder, entry);
    for (const spec of specifiers(file)) {
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

describe("framework layers", () => {
  const folders = graph();

  test("no import cycle between the folders of framework/src", () => {
    assert.deepEqual(cycles(folders).map((cycle) => cycle.join(" -> ")), []);
  });

  test("core is the leaf: no framework folder, none of koa, tsyringe, nunjucks or ioredis", () => {
    const core = folders.get("core")!;
    assert.deepEqual([...core.folders], []);
    assert.deepEqual([...core.packages].filter((p) => HEAVY.includes(p)), []);
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
});
