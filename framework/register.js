"use strict";
// Development and tests only: `node -r masonite/register` runs TypeScript through SWC, with
// decorator metadata kept (esbuild-based runners drop `design:paramtypes`, which method
// injection depends on). A built app runs with plain `node` and never loads this file, so
// the compiler, SWC and the @types packages are development dependencies.
//
// The compiler options are fixed here rather than read from the app's tsconfig, so a tsconfig
// mistake cannot silently switch decorator metadata off; `craft build` forces the same ones.
require("reflect-metadata");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const ts = require("typescript");
const { register } = require("@swc-node/register/register");

register(
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    sourceMap: true,
  },
  { exts: [".ts"] },
);

// In the framework's own repository (src/ beside this file) `masonite/<module>` loads the
// TypeScript source, the target of the "masonite-source" export condition, so the tests and
// `npm run dev` see a change without a build; `node -C masonite-source` and tsconfig's
// customConditions select the same files. An installed package ships no src/ and loads dist/.
if (fs.existsSync(path.join(__dirname, "src"))) {
  const { exports } = require("./package.json");
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveFrameworkSource(request, ...rest) {
    const source = request.startsWith("masonite/") ? exports[`./${request.slice("masonite/".length)}`]?.["masonite-source"] : undefined;
    return source ? path.join(__dirname, source) : resolveFilename.call(this, request, ...rest);
  };
}
