import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** `.env` text with `NAME=value` set: the existing line replaced in place, or one appended. */
export function withEnvValue(text: string, name: string, value: string): string {
  const line = `${name}=${value}`;
  const pattern = new RegExp(`^${name}=.*$`, "m");
  return pattern.test(text) ? text.replace(pattern, () => line) : `${text}${text && !text.endsWith("\n") ? "\n" : ""}${line}\n`;
}

/** Sets `NAME=value` in `<root>/.env`, creating the file from `.env.example` when missing. */
export function storeEnvValue(root: string, name: string, value: string): void {
  const file = path.join(root, ".env");
  const example = path.join(root, ".env.example");
  const text = existsSync(file) ? readFileSync(file, "utf8") : existsSync(example) ? readFileSync(example, "utf8") : "";
  writeFileSync(file, withEnvValue(text, name, value), { mode: 0o600 });
}
