// The compiled prepack (framework/scripts/prepack.js runs it after building dist/): refreshes
// skeleton/, README.md and LICENSE from the repository root right before `npm pack`, so the
// tarball always carries them as the repository has them. An installed copy (no repository
// around it) already ships them and keeps them.
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { buildSkeleton, findRepositoryRoot, FRAMEWORK_DIR, SKELETON_DIR } from "./skeleton";

/** The repository's files the package carries as its own. */
const PACKAGE_DOCUMENTS = ["README.md", "LICENSE"];

try {
  const repository = findRepositoryRoot();
  if (repository) {
    buildSkeleton(repository);
    for (const file of PACKAGE_DOCUMENTS) copyFileSync(path.join(repository, file), path.join(FRAMEWORK_DIR, file));
  } else if (!existsSync(SKELETON_DIR)) {
    throw new Error(`${SKELETON_DIR} is missing and there is no repository to build it from; pack the framework from its repository.`);
  }
} catch (error) {
  console.error(`prepack: ${(error as Error).message}`);
  process.exitCode = 1;
}
