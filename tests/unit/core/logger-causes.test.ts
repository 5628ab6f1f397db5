import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameworkError, Logger } from "masonite/core";

test("a logged error's message joins its causes as one sentence, without a period before each colon", () => {
  const lines: string[] = [];
  const logger = new Logger({ LEVEL: "info" }, { write: (line: string) => void lines.push(line) });
  const cause = new Error("template not found: posts/crate.html");
  const error = new FrameworkError("E_TEMPLATE_NOT_FOUND", 'Template "posts/crate" is in none of the template folders: create it or fix the name given to view.render().', { cause });
  logger.error("GET /posts/crate -> 500", { err: error });
  const { err } = JSON.parse(lines[0]!) as { err: { message: string; code: string; stack: string } };
  assert.equal(err.message, 'Template "posts/crate" is in none of the template folders: create it or fix the name given to view.render(): template not found: posts/crate.html');
  assert.equal(err.code, "E_TEMPLATE_NOT_FOUND", "pino's own fields stay");
  assert.match(err.stack, /caused by: Error: template not found/);
});
