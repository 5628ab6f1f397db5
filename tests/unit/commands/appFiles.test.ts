import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { appReadme, nextSteps, SESSION_DRIVERS } from "masonite/commands";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
const GETTING_STARTED = readFileSync(path.join(ROOT, "docs", "getting-started.md"), "utf8");

test("craft new's last words start the app the way the README's tour and Getting started do", () => {
  for (const [page, text] of [["README.md", README], ["docs/getting-started.md", GETTING_STARTED]]) {
    assert.equal(/cd blog\n(npm run \w+)/.exec(text!)?.[1], "npm run dev", page);
  }
  assert.equal(nextSteps("blog", "cd blog", true), "\nblog is ready. Next:\n  cd blog\n  npm run dev      # http://127.0.0.1:8000, restarting when you save a file");
  assert.match(nextSteps("blog", "cd blog", false), /\n {2}npm install && npm run dev {6}#/);
  assert.doesNotMatch(nextSteps("blog", "cd blog", true), /npm start/);
});

test("the new app's README names every session driver craft new offers, npm run dev first and npm start after a build", () => {
  const readme = appReadme("blog", "masonite-0.1.0.tgz", "0.1.0", SESSION_DRIVERS);
  assert.deepEqual(SESSION_DRIVERS, ["cookie", "redis", "file", "memory", "database"]);
  assert.match(readme, /`SESSION_DRIVER=cookie\|redis\|file\|memory\|database`/);
  assert.match(GETTING_STARTED, /--driver cookie\|redis\|file\|memory\|database/, "the same list as docs/getting-started.md");
  assert.match(readme, /```sh\nnpm install .*\nnpm run dev .*\n(?:.*\n)*npm run build .*\nnpm start .*plain node/);
});
