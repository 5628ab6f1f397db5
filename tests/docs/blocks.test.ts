import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { extractBlocks, repositoryBlocks } from "./blocks";

const PAGE = [
  "# A page",
  "",
  "```ts",
  "// routes/web.ts",
  "export const ROUTES = [];",
  "```",
  "",
  "- a list item with a block:",
  "",
  "  ```typescript project=strict",
  "  export const indented = 1;",
  "  ```",
  "",
  "```ts partial",
  "Route.get(...),",
  "```",
  "",
  "<!-- not type-checked: a fragment of the Kernel -->",
  "```ts",
  "routes: [],",
  "```",
  "",
  "```sh",
  "npm test",
  "```",
].join("\n");

describe("the documentation's TypeScript blocks", () => {
  test("a block naming an app file stands for it; another is a file of its own, in the page's project unless project= says", () => {
    const { checked } = extractBlocks("docs/Page.md", PAGE);
    assert.deepEqual(
      checked.map(({ line, file, project, code }) => ({ line, file, project, code })),
      [
        { line: 4, file: "routes/web.ts", project: "docs-page", code: "// routes/web.ts\nexport const ROUTES = [];" },
        { line: 11, file: "block-docs-page-11.ts", project: "strict", code: "export const indented = 1;" },
      ],
    );
  });

  test("a block marked partial, or after a not-type-checked comment, is skipped and counted; other languages are ignored", () => {
    assert.deepEqual(extractBlocks("docs/Page.md", PAGE).partial, [
      { page: "docs/Page.md", line: 15 },
      { page: "docs/Page.md", line: 20 },
    ]);
  });

  test("the repository's pages have blocks to check, the README's among them", () => {
    const { checked } = repositoryBlocks(path.resolve(__dirname, "..", ".."));
    assert.ok(checked.some((block) => block.page === "README.md"));
    assert.ok(checked.some((block) => block.page.startsWith("docs/")));
  });
});
