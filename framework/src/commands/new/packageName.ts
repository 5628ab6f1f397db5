import { builtinModules } from "node:module";

const RESERVED = new Set(["node_modules", "favicon.ico", ...builtinModules]);

/**
 * Why `name` cannot be a new npm package's name, or undefined when it can. These are npm's
 * rules for new (unscoped) names: the app's folder name becomes its package name.
 */
export function packageNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > 214) return "it is longer than 214 characters";
  if (name.trim() !== name) return "it starts or ends with a space";
  if (/^[._]/.test(name)) return 'it starts with "." or "_"';
  if (name.toLowerCase() !== name) return "it has capital letters";
  if (/[~'!()*]/.test(name) || encodeURIComponent(name) !== name) return "it has characters that are not URL-safe (use letters, digits, - and .)";
  if (RESERVED.has(name)) return `"${name}" is reserved (a Node.js core module or npm name)`;
  return undefined;
}

/** A name npm accepts, suggested from a rejected one: "My Blog!" -> "my-blog". */
export function suggestPackageName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[-._]+|-+$/g, "");
  return cleaned && !RESERVED.has(cleaned) ? cleaned : "my-app";
}
