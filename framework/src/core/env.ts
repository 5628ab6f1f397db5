import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

let loadedFrom: string | undefined;

/**
 * Loads `<root>/.env` into `process.env` once. Variables already set in the real
 * environment win, so a deployment can always override the file.
 */
export function loadEnvironment(root: string = process.env.APP_ROOT ?? process.cwd()): void {
  if (loadedFrom !== undefined) return;
  loadedFrom = root;
  let text: string;
  try {
    text = readFileSync(path.join(root, ".env"), "utf8");
  } catch {
    return; // no .env is a normal state: production sets real variables
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
}

/** Reads a deployment setting, loading `.env` first. Config files call this at import time. */
export function env(name: string): string | undefined;
export function env(name: string, fallback: string): string;
export function env(name: string, fallback?: string): string | undefined {
  loadEnvironment();
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}
