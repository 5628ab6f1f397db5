import { baseName, className, kebabCase } from "./names";
import { writeNewFile, type Generated } from "./writeNewFile";

function template(title: string): string {
  return `import "./support/env";
import { after, before, describe, test } from "node:test";
import { TestClient } from "masonite/testing";
import { kernel } from "../app/Kernel";

let app: TestClient;

before(async () => {
  app = await TestClient.start(kernel);
});
after(() => app.close());

describe("${title}", () => {
  test("the home page responds", async () => {
    (await app.get("/")).assertOk();
  });
});
`;
}

/** `craft test Post`: tests/post.test.ts, with the app started the way tests/example.test.ts does. */
export function makeTest(root: string, raw: string, options: { force: boolean }): Generated {
  // Any name is a fine test name; the suffix only keeps "PostTest" from becoming post-test.test.ts.
  const name = baseName(className(raw, "Test", "Test"), "Test");
  const file = `tests/${kebabCase(name)}.test.ts`;
  const { replaced } = writeNewFile(root, file, template(name), options.force);
  return { file, replaced, hints: ["Run it with npm test."] };
}
