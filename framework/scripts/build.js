"use strict";
// `npm run build` (and `prepare`, so `npm install` in the repository leaves a built framework):
// compiles src/ to dist/ with tsc: CommonJS, which Node loads with require() and import alike,
// and the format the framework's sources and decorator metadata are written for; declarations
// and source maps (sources inlined, since src/ is not published) beside it.
// - Skipped when dist/ was built from exactly the current src/ and tsconfig.json (a hash of
//   them is kept in dist/), so `craft new`, which packs the framework, costs no compile then.
// - Built into a folder of its own and swapped in whole, so dist/ never holds the outputs of
//   a deleted source file, and two builds at once (parallel `craft new`s) never mix their files.
const { execFileSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const HASH_FILE = ".source-hash";

function sourceHash() {
  const hash = createHash("sha256");
  const sources = readdirSync(path.join(ROOT, "src"), { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts"));
  for (const file of ["tsconfig.json", ...sources.sort().map((name) => path.join("src", name))]) {
    hash.update(`${file}\0`).update(readFileSync(path.join(ROOT, file))).update("\0");
  }
  return hash.digest("hex");
}

function build() {
  // An installed copy ships dist/ and no src/ (`npm pack` runs prepare there too, when `craft new` packs it from an app).
  if (!existsSync(path.join(ROOT, "src"))) return;
  const hash = sourceHash();
  if (existsSync(path.join(DIST, HASH_FILE)) && readFileSync(path.join(DIST, HASH_FILE), "utf8") === hash) return;
  const staging = `${DIST}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", ROOT, "--outDir", staging], { stdio: "inherit" });
    writeFileSync(path.join(staging, HASH_FILE), hash);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`tsc could not compile ${path.join(ROOT, "src")} (its errors are above); fix them and run "npm run build" in ${ROOT}.`, { cause: error });
  }
  const previous = `${DIST}.previous-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, previous);
  renameSync(staging, DIST);
  rmSync(previous, { recursive: true, force: true });
}

module.exports = { build };

if (require.main === module) {
  try {
    build();
  } catch (error) {
    console.error(`build: ${error.message}`);
    process.exitCode = 1;
  }
}
