import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";

/** docs/errors.md lists every code the framework raises, with its meaning and fix; this keeps the page and the code in step. */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const CODE = /\bE_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith(".ts") ? [file] : [];
  });
}

/** Each code with the first file that raises it. */
function frameworkCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sourceFiles(path.join(ROOT, "framework", "src"))) {
    for (const [code] of readFileSync(file, "utf8").matchAll(CODE)) if (!codes.has(code)) codes.set(code, path.relative(ROOT, file));
  }
  return codes;
}

/** The codes the page's tables describe: the first cell of each row. */
function documentedCodes(): string[] {
  const page = readFileSync(path.join(ROOT, "docs", "errors.md"), "utf8");
  return [...page.matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]!);
}

describe("docs/errors.md", () => {
  test("describes every code framework/src raises", () => {
    const documented = new Set(documentedCodes());
    const codes = frameworkCodes();
    assert.ok(codes.size > 50, `found only ${codes.size} codes in framework/src; the scan no longer reads the sources`);
    const missing = [...codes].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    assert.deepEqual(missing, [], "add a row to docs/errors.md for each: its status, meaning and fix");
  });

  test("lists no code the framework does not raise, and each once", () => {
    const codes = frameworkCodes();
    const documented = documentedCodes();
    assert.deepEqual(documented.filter((code) => !codes.has(code)), [], "remove these rows from docs/errors.md");
    assert.deepEqual(documented.filter((code, index) => documented.indexOf(code) !== index), [], "these codes have two rows");
  });
});
