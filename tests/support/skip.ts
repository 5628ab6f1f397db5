import type { TestContext } from "node:test";

/** What a missing requirement is skipped on: a test's context, or a describe block's `SuiteSkip`. */
export type Skippable = Pick<TestContext, "skip">;

/**
 * A requirement this machine lacks (`why`, with how to install it): a failure when the
 * variable `required` is "1" (as in CI), otherwise a loud warning and a skip of `t`.
 */
export function unavailable(t: Skippable, why: string, required: "REQUIRE_REDIS" | "REQUIRE_BROWSER" | "REQUIRE_DATABASE"): void {
  if (process.env[required] === "1") throw new Error(`${why}; ${required}=1 makes this a failure.`);
  console.warn(`\n!!! SKIPPED: ${why}\n`);
  t.skip(why);
}

/**
 * Stands in for a describe-level before hook's context, which has no skip(): the hook passes
 * it where a test's context would go, it keeps the reason, and every test of the block skips
 * with that reason through `skipped(t)`. A requirement missing under REQUIRE_*=1 makes the
 * hook throw instead, which fails every test of the block.
 */
export class SuiteSkip implements Skippable {
  #why: string | undefined;

  skip(why?: string): void {
    this.#why = why ?? "skipped by the describe block's before hook";
  }

  get reason(): string | undefined {
    return this.#why;
  }

  /** In a test: skips it with the block's reason and returns true when the block cannot run. */
  skipped(t: Skippable): boolean {
    if (this.#why === undefined) return false;
    t.skip(this.#why);
    return true;
  }
}
