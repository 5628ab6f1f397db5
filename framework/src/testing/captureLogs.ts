import { afterEach } from "node:test";
import { setLogDestination } from "../core/logger";

/** Lines kept per test: a soak's worth of warnings must not grow the test process without end. */
const KEPT_LINES = 1_000;

/**
 * Keeps the app's log lines out of a passing test report: every Logger made afterwards writes
 * into memory, and a test's lines are printed to stderr, under its name, only when it fails.
 * Call once at the top of the test environment, before any app is made (tests/support/env.ts).
 */
export function captureLogs(): void {
  let lines: string[] = [];
  setLogDestination({
    write(line: string) {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
    },
  });
  // At the top level of a file, this runs after each of its top-level tests (and suites).
  afterEach((t) => {
    const held = lines;
    lines = [];
    // Node has had `passed` in hooks since 20.12; @types/node 20 does not declare it yet.
    if (!(t as { passed?: boolean }).passed && held.length > 0) process.stderr.write(`--- what the app logged during the failed test "${t.name}":\n${held.join("")}--- end of its log\n`);
  });
}
