"use strict";
// npm pack's prepack. In the repository it builds dist/ first, then the compiled prepack
// refreshes skeleton/, README.md and LICENSE from the repository root, so the tarball carries
// them as the repository has them. An installed copy, which `craft new` packs from an app,
// ships all of them already: nothing is built, and they are only checked.
try {
  require("./build").build();
  require("../dist/commands/new/prepack");
} catch (error) {
  console.error(`prepack: ${error.message}`);
  process.exitCode = 1;
}
