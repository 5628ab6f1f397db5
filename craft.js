#!/usr/bin/env node
// `npx craft` entry: TypeScript support first, then the TypeScript command line.
require("masonite/register");
require("./craft.ts");
