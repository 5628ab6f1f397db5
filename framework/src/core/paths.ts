import path from "node:path";

/** A file as a developer would type it in a message: relative to the working folder when under it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
}
