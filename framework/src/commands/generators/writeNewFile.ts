import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sentence } from "../../core/errors";
import { CommandError } from "../errors";

/** What a generator made, and what to do next (register it, add a route ...). */
export interface Generated {
  file: string;
  /** An existing file was overwritten (with --force). */
  replaced: boolean;
  hints: string[];
}

/**
 * Writes a generated file under the app root. An existing file is someone's work, so it
 * is only replaced with `force`.
 */
export function writeNewFile(root: string, relative: string, contents: string, force: boolean): { replaced: boolean } {
  const file = path.join(root, relative);
  const exists = existsSync(file);
  if (exists && !force) throw new CommandError("E_FILE_EXISTS", `${relative} already exists; pass --force to overwrite it.`);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
    return { replaced: exists };
  } catch (error) {
    throw new CommandError("E_WRITE_FAILED", sentence(`cannot write ${relative}: ${(error as Error).message}`), error);
  }
}
