import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { unavailable, type Skippable } from "./skip";

/** Debian's chromium package; CHROMIUM_PATH points elsewhere. Never a Playwright download. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, offline, headless Chromium that also runs as root in a container. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium to drive, or why there is none. */
export function findChromium(): { path: string } | { missing: string } {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (existsSync(path)) return { path };
  const why = process.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${path} does not exist: the browser tests cannot run`
    : `no Chromium at ${DEFAULT_CHROMIUM} and CHROMIUM_PATH is not set: the browser tests cannot run (apt-get install chromium)`;
  return { missing: why };
}

/**
 * Launches headless Chromium, or explains loudly why the browser tests cannot run: a skip
 * normally, a failure when REQUIRE_BROWSER=1 (as in CI). A Chromium that is there but fails
 * to start is always a failure.
 */
export async function launchOrSkip(t: Skippable): Promise<Browser | undefined> {
  const found = findChromium();
  if ("missing" in found) {
    unavailable(t, found.missing, "REQUIRE_BROWSER");
    return undefined;
  }
  return chromium.launch({ executablePath: found.path, headless: true, args: CHROMIUM_ARGS, timeout: 45_000 });
}
