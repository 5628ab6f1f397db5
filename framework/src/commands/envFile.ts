import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Sets `NAME=value` in `<root>/.env`, creating the file from `.env.example` when missing. */
export function storeEnvValue(root: string, name: string, value: string): void {
  const file = path.join(root, ".env");
  const example = path.join(root, ".env.example");
  let text = existsSync(file) ? readFileSync(file, "utf8") : existsSync(example) ? readFileSync(example, "utf8") : "";
  const line = `${name}=${value}`;
  const pattern = new RegExp(`^${name}=.*$`, "m");
  text = pattern.test(text) ? text.replace(pattern, () => line) : `${text}${text && !text.endsWith("\n") ? "\n" : ""}${line}\n`;
  writeFileSync(file, text, { mode: 0o600 });
}
