"use strict";
// Runs TypeScript through SWC with decorator metadata kept: esbuild-based runners drop
// `design:paramtypes`, which method injection depends on. The compiler options are fixed
// here rather than read from the app's tsconfig, so a tsconfig mistake cannot silently
// switch decorator metadata off. Unlike the stock hook this one also compiles `.ts` inside
// node_modules, because an app installed from a packed tarball carries the framework's
// sources there.
require("reflect-metadata");
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
  { exts: [".ts"], ignoreNodeModules: false },
);
