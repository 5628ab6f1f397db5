import "./support/env";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { installedPackages, NPM, productionApp, run, shellEnv, killServerGroup, spawnNpmStart, untilServing, type ProductionApp } from "./support/productionApp";
import { freePort } from "./support/redis";

/** What only development needs; a production install has none of it. */
const DEVELOPMENT_ONLY = /^(typescript|@swc\/|@swc-node\/|@types\/)/;

describe("a new app in production: craft build, npm ci --omit=dev, plain node", () => {
  let tmp: string;
  let shipped: ProductionApp;
  let server: ChildProcess | undefined;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "production-build-"));
    shipped = await productionApp(tmp);
  });

  after(async () => {
    await killServerGroup(server);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test("craft build writes JavaScript with source maps, the templates and the public files into build/", () => {
    const build = path.join(shipped.development, "build");
    for (const file of ["craft.js", "craft.js.map", "app/Kernel.js", "app/controllers/WelcomeController.js", "config/session.js", "routes/web.js", "resources/templates/base.html", "storage/public/css/app.css"]) {
      assert.ok(existsSync(path.join(build, file)), `build/${file} is missing`);
    }
    assert.ok(!existsSync(path.join(build, "tests")), "tests are not part of the build");
    assert.match(readFileSync(path.join(build, "app", "controllers", "WelcomeController.js"), "utf8"), /__metadata\("design:paramtypes"/, "decorator metadata is kept for method injection");
    assert.match(readFileSync(path.join(shipped.development, ".gitignore"), "utf8"), /^build\/$/m);
  });

  test("npm ci --omit=dev installs no compiler, no SWC and no @types, offline and without an install-script warning", () => {
    const packages = installedPackages(shipped.production);
    assert.ok(packages.includes("masonite") && packages.includes("koa"), "the framework and what it runs on are installed");
    assert.deepEqual(packages.filter((name) => DEVELOPMENT_ONLY.test(name)), []);
    assert.doesNotMatch(shipped.install.stdout + shipped.install.stderr, /install.?script/i);
    const framework = path.join(shipped.production, "node_modules", "masonite");
    assert.ok(existsSync(path.join(framework, "dist", "commands", "index.js")) && existsSync(path.join(framework, "dist", "commands", "index.d.ts")));
    assert.ok(!existsSync(path.join(framework, "src")), "the packed framework carries no TypeScript source");
  });

  // masonite/register needs TypeScript and SWC, which this tree lacks: starting at all shows none is loaded.
  test("npm start runs build/ with plain node and answers 200", async () => {
    const port = await freePort();
    const env = shellEnv({ APP_ENV: "production", APP_KEY: `base64:${Buffer.alloc(32, 7).toString("base64")}`, LOG_LEVEL: "error" });
    server = spawnNpmStart(shipped.production, port, env);
    await untilServing(server);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Hello, world!/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/css/app.css`)).status, 200, "storage/public is served from build/");
  });

  test("a type error fails craft build with tsc's message and leaves the previous build in place", async () => {
    const controller = path.join(shipped.development, "app", "controllers", "WelcomeController.ts");
    const original = readFileSync(controller, "utf8");
    writeFileSync(controller, `${original}\nexport const broken: number = "not a number";\n`);
    try {
      const result = await run(NPM, ["run", "build"], shipped.development, { timeout: 180_000 });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /app\/controllers\/WelcomeController\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./);
      assert.match(result.stderr, /E_TYPE_ERRORS|does not type-check/);
      assert.ok(existsSync(path.join(shipped.development, "build", "app", "controllers", "WelcomeController.js")));
    } finally {
      writeFileSync(controller, original);
    }
  });

  test("craft build without TypeScript installed says to build in a full install", async () => {
    const result = await run(process.execPath, ["build/craft.js", "build"], shipped.production);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /craft build needs TypeScript, which is not installed/);
  });
});
