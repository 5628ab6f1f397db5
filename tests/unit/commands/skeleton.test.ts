import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { appPackageJson } from "masonite/commands";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));

/** What only development needs: the compiler, SWC and the @types packages. */
const DEVELOPMENT_ONLY = /^(typescript|@swc\/|@swc-node\/|@types\/)/;

test("the framework's dependencies are what runs in production; the compiler, SWC and @types are development-only", () => {
  const framework = readJson("framework/package.json");
  assert.deepEqual(Object.keys(framework.dependencies).filter((name) => DEVELOPMENT_ONLY.test(name)), []);
  for (const tool of ["typescript", "@swc/core", "@swc-node/register", "@types/koa"]) assert.ok(tool in framework.devDependencies, `${tool} is a development dependency`);
});

test("every module the framework exports runs from dist/ with its declarations, and from src/ under the masonite-source condition", () => {
  const { exports } = readJson("framework/package.json");
  for (const [entry, target] of Object.entries<string | Record<string, string>>(exports)) {
    if (entry === "./register") continue;
    const module = entry.slice(2);
    assert.deepEqual(target, { "masonite-source": `./src/${module}/index.ts`, types: `./dist/${module}/index.d.ts`, default: `./dist/${module}/index.js` }, entry);
  }
});

test("a new app builds with craft build, starts build/ with plain node, and gets the framework's development tools as its own", () => {
  const manifest = appPackageJson(readJson("package.json"));
  assert.equal(manifest.scripts?.build, "node -r masonite/register craft.ts build");
  assert.equal(manifest.scripts?.start, "node build/craft.js serve");
  assert.match(manifest.scripts?.dev ?? "", /-r masonite\/register craft\.ts serve --reload$/);
  assert.deepEqual(Object.keys(manifest.dependencies ?? {}).filter((name) => DEVELOPMENT_ONLY.test(name)), []);
  for (const tool of ["typescript", "@types/node", "@swc/core", "@swc-node/register", "@types/koa", "@types/nunjucks"]) {
    assert.ok(tool in (manifest.devDependencies ?? {}), `the app needs ${tool} to type-check against the framework's declarations and to run masonite/register`);
  }
});
