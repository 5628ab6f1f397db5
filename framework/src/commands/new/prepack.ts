// framework/package.json's "prepack": refreshes skeleton/ from the repository root right
// before `npm pack`, so the tarball always carries the skeleton as the repository has it.
// An installed copy (no repository around it) already ships its skeleton and keeps it.
import { existsSync } from "node:fs";
import { buildSkeleton, findRepositoryRoot, SKELETON_DIR } from "./skeleton";

try {
  const repository = findRepositoryRoot();
  if (repository) buildSkeleton(repository);
  else if (!existsSync(SKELETON_DIR)) throw new Error(`${SKELETON_DIR} is missing and there is no repository to build it from; pack the framework from its repository.`);
} catch (error) {
  console.error(`prepack: ${(error as Error).message}`);
  process.exitCode = 1;
}
