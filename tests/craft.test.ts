import "./support/env";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createCraft } from "masonite/commands";
import { CookieJar } from "masonite/testing";
import { createDatabase } from "./support/database";
import { NPM, run, shellEnv, killServerGroup, spawnNpmStart, untilServing, type Finished } from "./support/productionApp";
import { freePort, RedisServer } from "./support/redis";

const REPO = path.resolve(__dirname, "..");

/** `craft` as this repository's developers run it. */
function repoCraft(...args: string[]): Promise<Finished> {
  return run(process.execPath, ["-r", "masonite/register", "craft.ts", ...args], REPO);
}

function assertSucceeded(result: Finished, what: string): void {
  assert.equal(result.code, 0, `${what} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
}

/** A refusal is exit code 1 and exactly one line on stderr: no stack trace, no usage dump. */
function assertOneLineError(result: Finished, pattern: RegExp): void {
  assert.equal(result.code, 1, `expected exit code 1, got ${result.code}:\n${result.stdout}\n${result.stderr}`);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
}

/** Every text file under `dir` (node_modules and vendor tarballs left out). */
function textFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => !file.startsWith("node_modules") && !file.endsWith(".tgz"))
    .map((file) => path.join(dir, file))
    .filter((file) => lstatSync(file).isFile());
}

const read = (file: string) => readFileSync(file, "utf8");
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Runs a craft command in this process against the app at `root`, returning what it printed. */
async function craftIn(root: string, ...args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(" "));
  try {
    const kernel = () => Promise.reject(new Error("generators do not load the kernel"));
    await createCraft({ root, kernel }).exitOverride().parseAsync(args, { from: "user" });
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

describe("craft new, generators and routes:list on a scaffolded app", () => {
  let tmp: string;
  let app: string;
  let server: ChildProcess | undefined;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "craft-test-"));
    app = path.join(tmp, "blog");
    const created = await repoCraft("new", app, "--no-install");
    assertSucceeded(created, "craft new");
    // Package tarballs come from npm's cache (the repository's own `npm ci` filled it) and the
    // framework from the vendored tarball. The new app has no lockfile yet, so npm still asks the
    // registry for package metadata: --offline fails on a machine whose cache only `npm ci` filled.
    assertSucceeded(await run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund"], app, { timeout: 180_000 }), "npm install --prefer-offline");
  });

  after(async () => {
    await killServerGroup(server);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test("the new app is self-contained: its own package, the framework vendored, no framework internals", () => {
    const manifest = JSON.parse(read(path.join(app, "package.json")));
    assert.equal(manifest.name, "blog");
    assert.deepEqual(Object.keys(manifest.scripts).sort(), ["build", "craft", "dev", "start", "test", "typecheck"]);
    assert.equal(manifest.bin.craft, "./craft.js");
    assert.equal(manifest.dependencies.masonite, "file:vendor/masonite-0.1.0.tgz");
    assert.ok(existsSync(path.join(app, "vendor", "masonite-0.1.0.tgz")));
    for (const file of ["tsconfig.json", "craft.ts", "craft.js", ".env.example", ".gitignore", "README.md", "app/Kernel.ts", "config/app.ts", "routes/web.ts", "resources/templates/base.html", "storage/public/css/app.css", "tests/example.test.ts"]) {
      assert.ok(existsSync(path.join(app, file)), `${file} is missing`);
    }
    for (const internal of ["framework", "bench", ".ci", "tests/sessions.test.ts", "tests/support/lab.ts", "tests/craft.test.ts"]) {
      assert.ok(!existsSync(path.join(app, internal)), `${internal} is the framework's own, not the app's`);
    }
    const env = read(path.join(app, ".env"));
    assert.match(env, /^SESSION_DRIVER=cookie$/m);
    assert.match(env, /^APP_KEY=base64:[A-Za-z0-9+/]{43}=$/m);
    assert.match(read(path.join(app, "README.md")), /"masonite": "file:vendor\/masonite-0\.1\.0\.tgz"/);
    // Installed as a copy from the tarball, not linked to this repository.
    assert.ok(!lstatSync(path.join(app, "node_modules", "masonite")).isSymbolicLink());
    for (const file of textFiles(app)) assert.ok(!read(file).includes(REPO), `${path.relative(app, file)} mentions ${REPO}`);
  });

  test("generators write type-checkable files and refuse to overwrite them", async () => {
    const generated = {
      "controller post": "app/controllers/PostController.ts",
      "controller Comment --resource": "app/controllers/CommentController.ts",
      "controller api/Post": "app/controllers/api/PostController.ts",
      "controller api/Comment --resource": "app/controllers/api/CommentController.ts",
      "view posts.index": "resources/templates/posts/index.html",
      "middleware auth": "app/middleware/AuthMiddleware.ts",
      "provider billing": "app/providers/BillingProvider.ts",
    };
    for (const [args, file] of Object.entries(generated)) {
      assert.match(await craftIn(app, ...args.split(" ")), new RegExp(`^Created ${escapeRegExp(file)}$`, "m"));
    }
    assert.match(read(path.join(app, "resources/templates/posts/index.html")), /{% extends "base.html" %}/);
    const resource = read(path.join(app, "app/controllers/CommentController.ts"));
    for (const method of ["index", "create", "store", "show", "edit", "update", "destroy"]) assert.match(resource, new RegExp(`@inject\\(\\)\\n  ${method}\\(`));

    // A second run must not touch the file, whatever the generator; --force replaces it.
    const mine = "// my own work\n";
    for (const [args, file] of Object.entries(generated)) {
      writeFileSync(path.join(app, file), mine);
      await assert.rejects(craftIn(app, ...args.split(" ")), { message: `${file} already exists; pass --force to overwrite it.` });
      assert.equal(read(path.join(app, file)), mine);
      assert.match(await craftIn(app, ...args.split(" "), "--force"), new RegExp(`^Replaced ${escapeRegExp(file)}$`, "m"));
      assert.notEqual(read(path.join(app, file)), mine);
    }
    for (const name of ["Controller", "9lives", "bad name"]) await assert.rejects(craftIn(app, "controller", name), /Controller name|only the suffix/);

    // The app's own craft says the same in one line and exits with 1.
    const refused = await run(process.execPath, ["craft.js", "view", "posts.index"], app);
    assertOneLineError(refused, /^craft: resources\/templates\/posts\/index\.html already exists; pass --force to overwrite it\.$/);
  });

  test("the generated resource controller and middleware wire into the app as their hints say", async () => {
    const hints = await craftIn(app, "controller", "Comment", "--resource", "--force");
    const routeLines = hints.split("\n").filter((line) => line.trimStart().startsWith("Route."));
    assert.equal(routeLines.length, 7);
    const web = path.join(app, "routes/web.ts");
    const routes = read(web)
      .replace(/^/, 'import { CommentController } from "../app/controllers/CommentController";\n')
      .replace(/\];\s*$/, `${routeLines.map((line) => line.replace(/,$/, '.middleware("auth"),')).join("\n")}\n];\n`);
    writeFileSync(web, routes);
    const kernel = path.join(app, "app/Kernel.ts");
    writeFileSync(
      kernel,
      read(kernel)
        .replace(/^/, 'import { AuthMiddleware } from "./middleware/AuthMiddleware";\nimport { BillingProvider } from "./providers/BillingProvider";\n')
        .replace("routeMiddleware: {}", "routeMiddleware: { auth: AuthMiddleware }")
        .replace("providers: [SessionProvider, AppProvider]", "providers: [SessionProvider, AppProvider, BillingProvider]"),
    );
    for (const view of ["index", "create", "show", "edit"]) await craftIn(app, "view", `comments.${view}`);
  });

  test("craft session:table prints the database driver's table for the dialect DATABASE_URL names", async () => {
    const result = await run(process.execPath, ["craft.js", "session:table"], app, { env: { DATABASE_URL: "mysql://root@127.0.0.1:3306/shop" } });
    assertSucceeded(result, "craft session:table");
    assert.match(result.stdout, /^CREATE TABLE IF NOT EXISTS sessions \(/);
    assert.match(result.stdout, /data JSON NOT NULL/);
  });

  test("craft routes:list shows the app's real routes with controller, group and middleware", async () => {
    const result = await run(process.execPath, ["craft.js", "routes:list"], app);
    assertSucceeded(result, "craft routes:list");
    const lines = result.stdout.trim().split("\n").map((line) => line.split(/\s{2,}/));
    assert.deepEqual(lines[0], ["METHOD", "PATH", "NAME", "ACTION", "GROUP", "MIDDLEWARE"]);
    assert.deepEqual(lines[1], ["GET", "/", "welcome", "WelcomeController@show", "web", "SessionMiddleware, VerifyCsrfToken"]);
    assert.deepEqual(
      lines.find((row) => row[2] === "comments.update"),
      ["PUT", "/comments/@id", "comments.update", "CommentController@update", "web", "SessionMiddleware, VerifyCsrfToken, AuthMiddleware"],
    );
    assert.deepEqual(
      lines.find((row) => row[2] === "api.echo"),
      ["POST", "/api/echo", "api.echo", "StatusController@echo", "api", "-"],
    );
    assert.equal(lines.length, 1 + 4 + 2 + 7);
  });

  test("craft test writes a test that requests the controller's route, or one that fails saying what to fill in", async () => {
    const testFile = (...args: string[]) => run(process.execPath, ["--test", "--test-reporter=tap", "-r", "masonite/register", "tests/post.test.ts", ...args], app);
    // The generators test made PostController; no route points at it yet.
    const todo = await run(process.execPath, ["craft.js", "test", "Post"], app);
    assertSucceeded(todo, "craft test Post");
    assert.match(todo.stdout, /^Created tests\/post\.test\.ts\nNo route points at PostController yet, so the test fails with a TODO/);
    const unfinished = await testFile();
    assert.equal(unfinished.code, 1, `the TODO test must fail:\n${unfinished.stdout}`);
    assert.match(unfinished.stdout, /TODO: no route pointed at PostController when craft wrote this test; add one to routes\/web\.ts or routes\/api\.ts, then request it here/);
    assertOneLineError(await run(process.execPath, ["craft.js", "test", "Post"], app), /^craft: tests\/post\.test\.ts already exists; pass --force to overwrite it\.$/);
    // A controller that exists nowhere is a typo until said otherwise: refused, nothing written.
    assertOneLineError(await run(process.execPath, ["craft.js", "test", "Nope"], app), /^craft: There is no NopeController: no route points at it and app\/controllers has no NopeController\.ts, so tests\/nope\.test\.ts was not written; .* --todo .*\.$/);
    assert.ok(!existsSync(path.join(app, "tests/nope.test.ts")));

    // The route and the view that `craft controller post` says to add; then the test requests the route.
    const [importHint, routeHint] = (await craftIn(app, "controller", "post", "--force")).split("\n").slice(1, 3);
    const importLine = /\((import .*;)\):$/.exec(importHint!)![1]!;
    const web = path.join(app, "routes/web.ts");
    writeFileSync(web, `${importLine}\n${read(web).replace(/\];\s*$/, `${routeHint!.trim()}\n];\n`)}`);
    await craftIn(app, "view", "post");
    const requesting = await run(process.execPath, ["craft.js", "test", "Post", "--force"], app);
    assertSucceeded(requesting, "craft test Post --force");
    assert.match(requesting.stdout, /^Replaced tests\/post\.test\.ts\nIt requests GET \/post \(PostController@show\); run it with npm test\.$/m);
    assert.match(read(path.join(app, "tests/post.test.ts")), /\(await app\.get\("\/post"\)\)\.assertOk\(\);/);
    const passing = await testFile();
    assertSucceeded(passing, "the generated test");
    assert.match(passing.stdout, /^# pass 1$/m);
  });

  test("the new app's own npm test passes: type-check, example tests and the generated test", async () => {
    const result = await run(NPM, ["test"], app, { timeout: 120_000 });
    assertSucceeded(result, "npm test in the new app");
    assert.match(result.stdout, /contact form/);
    assert.match(result.stdout, /PostController/);
    assert.match(result.stdout, /ℹ fail 0/);
  });

  test("the new app's npm test, twice in a row on the file driver, passes both times and leaves storage/ as it found it", { timeout: 300_000 }, async () => {
    const storage = () => readdirSync(path.join(app, "storage"), { recursive: true, encoding: "utf8" }).sort();
    const before = storage();
    for (const round of [1, 2]) {
      const result = await run(NPM, ["test"], app, { timeout: 150_000, env: { SESSION_DRIVER: "file" } });
      assertSucceeded(result, `npm test on the file driver, run ${round}`);
      assert.match(result.stdout, /ℹ fail 0/);
      assert.deepEqual(storage(), before, `storage/ after run ${round}`);
    }
  });

  test("npm run build, then npm start serves the welcome page, the flash demo and the generated pages", async () => {
    assertSucceeded(await run(NPM, ["run", "build"], app, { timeout: 120_000 }), "npm run build");
    const port = await freePort();
    server = spawnNpmStart(app, port, shellEnv());
    await untilServing(server);

    const base = `http://127.0.0.1:${port}`;
    const jar = new CookieJar();
    const visit = async (pathname: string, init: RequestInit = {}) => {
      const response = await fetch(base + pathname, { ...init, redirect: "manual", headers: { ...(init.headers as object), cookie: jar.header() ?? "" } });
      jar.store(response.headers.getSetCookie());
      return { status: response.status, location: response.headers.get("location"), text: await response.text() };
    };

    const welcome = await visit("/");
    assert.equal(welcome.status, 200);
    assert.match(welcome.text, /Hello, world!/);
    const contact = await visit("/contact");
    assert.equal(contact.status, 200);
    const token = /name="__token" value="([^"]+)"/.exec(contact.text)?.[1];
    assert.ok(token, "the contact form carries a CSRF token");
    const form = new URLSearchParams({ __token: token, name: "", email: "ada@example.com", password: "long enough" });
    const posted = await visit("/contact", { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded", referer: `${base}/contact` } });
    assert.equal(posted.status, 302);
    assert.equal(posted.location, "/contact");
    const flashed = await visit("/contact");
    assert.match(flashed.text, /Please tell us your name/);
    assert.match(flashed.text, /value="ada@example.com"/);
    assert.doesNotMatch((await visit("/contact")).text, /Please tell us your name/, "flashed errors last one request");
    const comments = await visit("/comments");
    assert.equal(comments.status, 200);
    assert.match(comments.text, /comments\.index/);

    process.kill(-server.pid!, "SIGTERM");
    await once(server, "exit");
  });

  test("the example tests pass on the redis driver too", async (t) => {
    const redis = await RedisServer.startOrSkip(t);
    if (!redis) return;
    try {
      const result = await run(process.execPath, ["--test", "--test-reporter=tap", "-r", "masonite/register", "tests/example.test.ts"], app, { env: { SESSION_DRIVER: "redis", REDIS_URL: redis.url } });
      assertSucceeded(result, "example tests on redis");
      assert.match(result.stdout, /# pass 7/);
      const client = redis.client(1); // config/session.ts's REDIS_DB default
      const keys = await client.keys("*");
      client.disconnect();
      assert.ok(keys.length > 0 && keys.every((key) => key.startsWith("masonite4-test:")), `the example tests keep to their own namespace, never the development one: ${keys.slice(0, 5).join(", ")}`);
    } finally {
      await redis.stop();
    }
  });

  test("craft new --driver database: DATABASE_URL in .env, the client its scheme needs in package.json, and the app runs on it", { timeout: 300_000 }, async (t) => {
    const framework = JSON.parse(read(path.join(REPO, "framework", "package.json"))) as { peerDependencies: Record<string, string> };
    const shop = path.join(tmp, "shop");
    assertSucceeded(await run(process.execPath, ["craft.js", "new", shop, "--no-install", "--driver", "database"], app), "craft new --driver database");
    const env = read(path.join(shop, ".env"));
    assert.match(env, /^SESSION_DRIVER=database$/m);
    assert.match(env, /^DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:5432\/shop$/m, "PostgreSQL unless --database-url says otherwise");
    assert.match(read(path.join(shop, ".env.example")), /^DATABASE_URL=$/m);
    assert.equal(JSON.parse(read(path.join(shop, "package.json"))).dependencies.pg, framework.peerDependencies.pg);

    const mysqlApp = path.join(tmp, "mysql-shop");
    assertSucceeded(await run(process.execPath, ["craft.js", "new", mysqlApp, "--no-install", "--driver", "database", "--database-url", "mysql://root@127.0.0.1:3306/shop"], app), "craft new --database-url mysql://");
    const dependencies = JSON.parse(read(path.join(mysqlApp, "package.json"))).dependencies as Record<string, string>;
    assert.equal(dependencies.mysql2, framework.peerDependencies.mysql2);
    assert.equal(dependencies.pg, undefined, "only the client the dialect needs");
    assert.match(read(path.join(mysqlApp, ".env")), /^DATABASE_URL=mysql:\/\/root@127\.0\.0\.1:3306\/shop$/m);

    // The app as made, installed, runs its example tests on a PostgreSQL database of this test's own.
    const database = await createDatabase("postgres", t);
    if (!database) return;
    try {
      assertSucceeded(await run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund"], shop, { timeout: 180_000 }), "npm install in the database app");
      const result = await run(process.execPath, ["--test", "--test-reporter=tap", "-r", "masonite/register", "tests/example.test.ts"], shop, { env: { DATABASE_URL: database.url } });
      assertSucceeded(result, "example tests on the database driver");
      assert.match(result.stdout, /# pass 7/);
      assert.ok((await database.query("SELECT id FROM sessions")).length > 0, "the sessions are rows of the database's table");
    } finally {
      await database.drop();
    }
  });

  test("craft new works from an installed app, where this repository is absent", async () => {
    const second = path.join(tmp, "second");
    assertSucceeded(await run(process.execPath, ["craft.js", "new", second, "--no-install", "--driver", "redis"], app), "craft new from the app");
    assert.equal(JSON.parse(read(path.join(second, "package.json"))).name, "second");
    assert.match(read(path.join(second, ".env")), /^SESSION_DRIVER=redis$/m);
    assert.ok(existsSync(path.join(second, "vendor", "masonite-0.1.0.tgz")));
    assert.ok(existsSync(path.join(second, "tests", "example.test.ts")));
  });
});

describe("craft new refuses bad input with one line and leaves nothing behind", () => {
  let tmp: string;

  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), "craft-new-bad-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test("a non-empty directory, an invalid package name, an unwritable path, an unknown driver", async () => {
    mkdirSync(path.join(tmp, "full"));
    writeFileSync(path.join(tmp, "full", "notes.txt"), "mine");
    writeFileSync(path.join(tmp, "a-file"), "");
    const entries = readdirSync(tmp).sort();
    const [full, named, underFile, noParent, driver, badUrl, urlWithoutDriver] = await Promise.all([
      repoCraft("new", path.join(tmp, "full"), "--no-install"),
      repoCraft("new", path.join(tmp, "My Blog"), "--no-install"),
      repoCraft("new", path.join(tmp, "a-file", "app"), "--no-install"),
      repoCraft("new", path.join(tmp, "missing", "app"), "--no-install"),
      repoCraft("new", path.join(tmp, "blog"), "--no-install", "--driver", "memcached"),
      repoCraft("new", path.join(tmp, "shop"), "--no-install", "--driver", "database", "--database-url", "redis://127.0.0.1/0"),
      repoCraft("new", path.join(tmp, "shop"), "--no-install", "--database-url", "postgres://127.0.0.1/shop"),
    ]);
    assertOneLineError(full, /already exists and is not empty; .* --force/);
    assertOneLineError(named, /"My Blog" cannot be the app's npm package name: .*like "my-blog"/);
    assertOneLineError(underFile, /cannot create .*a-file.app: a part of the path is a file, not a directory\.$/);
    assertOneLineError(noParent, /cannot create .*missing.app: the parent directory does not exist\.$/);
    assertOneLineError(driver, /argument 'memcached' is invalid\. Allowed choices are cookie, redis, file, memory, database\./);
    assertOneLineError(badUrl, /--database-url is refused: DRIVERS\.database\.url \(DATABASE_URL\) must start with postgres:\/\/, .*got "redis:\.\.\."/);
    assertOneLineError(urlWithoutDriver, /--database-url is for --driver database, not --driver cookie/);
    assert.deepEqual(readdirSync(tmp).sort(), entries, "nothing was left behind");
    assert.deepEqual(readdirSync(path.join(tmp, "full")), ["notes.txt"]);
  });

  test("an unwritable place is refused before anything is written", async () => {
    // Root writes through file modes, so as root the test aims at sysfs, which refuses everyone.
    const asRoot = process.getuid?.() === 0;
    const locked = asRoot ? "/sys" : path.join(tmp, "locked");
    if (!asRoot) mkdirSync(locked, { mode: 0o555 });
    const before = readdirSync(locked);
    assertOneLineError(await repoCraft("new", path.join(locked, "masonite-craft-test-app"), "--no-install"), /cannot create .*: permission denied\.$/);
    assert.deepEqual(readdirSync(locked), before);
  });

  test("a folder that exists but takes no new files (/proc) is named as not writable, not as missing", async () => {
    assertOneLineError(await repoCraft("new", "/proc/masonite-craft-test-app", "--no-install"), /^craft: cannot create \/proc\/masonite-craft-test-app: the folder \/proc exists but is not writable; choose a directory you can write to\.$/);
  });

  test("--force writes into a non-empty directory and keeps the files already there", async () => {
    const existing = path.join(tmp, "existing");
    mkdirSync(existing);
    writeFileSync(path.join(existing, "notes.txt"), "mine");
    assertSucceeded(await repoCraft("new", existing, "--no-install", "--force"), "craft new --force");
    assert.equal(read(path.join(existing, "notes.txt")), "mine");
    assert.equal(JSON.parse(read(path.join(existing, "package.json"))).name, "existing");
    assert.deepEqual(readdirSync(tmp).filter((name) => name.includes("craft-new")), []);
  });
});
