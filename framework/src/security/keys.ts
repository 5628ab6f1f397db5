import { hkdfSync, randomBytes } from "node:crypto";
import { ConfigurationError } from "../core/errors";

/** A new app key: 32 bytes from the OS CSPRNG, in the `base64:` form `.env` stores. */
export function generateKey(): string {
  return `base64:${randomBytes(32).toString("base64")}`;
}

/** Decodes an app key; anything shorter than 32 bytes of secret is refused, naming the fix. */
export function parseKey(key: string, name = "APP_KEY"): Buffer {
  const bytes = key.startsWith("base64:") ? Buffer.from(key.slice(7), "base64") : Buffer.from(key, "utf8");
  if (bytes.length < 32) {
    throw new ConfigurationError(
      "E_INVALID_APP_KEY",
      `${name} is missing or shorter than 32 bytes, and the cookie session store seals sessions with it: generate one with "craft key" and set it in the environment (in development "npm run craft -- key --store" writes it into .env).`,
    );
  }
  return bytes;
}

/** A key for one purpose (e.g. "session-cookie"), so one app key never serves two uses directly. */
export function deriveKey(appKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appKey, Buffer.alloc(0), `masonite:${purpose}`, 32));
}
