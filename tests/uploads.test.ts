import "./support/env";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Route } from "masonite/routes";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";

/** What the controller saw: the fields, and the file as it was while the request ran. */
class UploadProbe extends Controller {
  @inject()
  store(request: Request) {
    const doc = request.file("doc");
    return {
      fields: request.all(),
      title: request.input("title"),
      tags: request.input("meta.tags"),
      doc: doc && { name: doc.name, size: doc.size, type: doc.type, path: doc.path, inTmp: path.dirname(doc.path), exists: existsSync(doc.path), content: readFileSync(doc.path, "utf8") },
    };
  }
}

/** The path of the file the failing route was given, before it threw. */
let failedWith: string | undefined;

class FailingUploadProbe extends Controller {
  @inject()
  store(request: Request) {
    failedWith = request.file("doc")?.path;
    throw new Error("the controller failed after the upload");
  }
}

/** Files are deleted when the response closes, a moment after the client has read it: waits up to a second. */
async function settled<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  let value = read();
  for (let i = 0; i < 50 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = read();
  }
  return value;
}

const gone = (file: string) => settled(() => existsSync(file), (exists) => !exists).then((exists) => !exists);
const leftIn = (dir: string) => settled(() => readdirSync(dir), (names) => names.length === 0);

describe("multipart/form-data forms and file uploads, over HTTP", () => {
  let app: TestClient;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "uploads-test-"));
    app = await startApp({ app: { UPLOADS: { fileSize: "64kb", files: 2, dir } }, routes: [Route.post("/_upload", [UploadProbe, "store"]), Route.post("/_upload/fail", [FailingUploadProbe, "store"])] });
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = async (form: FormData, { token = true, to = "/_upload" } = {}) => {
    if (token) form.append("__token", await app.csrfToken());
    const reply = await fetch(`${app.url}${to}`, { method: "POST", headers: { accept: "application/json", cookie: app.jar.header() ?? "" }, body: form });
    return { status: reply.status, body: JSON.parse(await reply.text()) as Record<string, any> };
  };

  test("a form with a file and the CSRF token: the controller gets the fields and the file, deleted after the response", async () => {
    const form = new FormData();
    form.append("title", "Report");
    form.append("meta[tags][]", "a");
    form.append("meta[tags][]", "b");
    form.append("doc", new Blob(["hello upload"], { type: "text/plain" }), "report.txt");
    const { status, body } = await send(form);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.title, "Report");
    assert.deepEqual(body.tags, ["a", "b"]);
    assert.equal(body.fields.__token.length > 0, true);
    assert.deepEqual({ ...body.doc, path: undefined }, { name: "report.txt", size: 12, type: "text/plain", path: undefined, inTmp: dir, exists: true, content: "hello upload" });
    assert.ok(await gone(body.doc.path), "the temporary file is deleted once the response is sent");
    assert.deepEqual(await leftIn(dir), []);
  });

  test("a controller that throws: 500, and the temporary file is deleted all the same", async () => {
    const form = new FormData();
    form.append("doc", new Blob(["content"]), "doc.txt");
    const { status } = await send(form, { to: "/_upload/fail" });
    assert.equal(status, 500);
    assert.ok(failedWith?.startsWith(dir), `the controller had the file: ${failedWith}`);
    assert.ok(await gone(failedWith!), "the temporary file is deleted after the error page");
    assert.deepEqual(await leftIn(dir), []);
  });

  test("without the CSRF token: 419, and no file is left behind", async () => {
    const form = new FormData();
    form.append("doc", new Blob(["x".repeat(1000)]), "a.txt");
    const { status, body } = await send(form, { token: false });
    assert.equal(status, 419, JSON.stringify(body));
    assert.equal(body.error.code, "E_CSRF_TOKEN_MISMATCH");
    assert.deepEqual(await leftIn(dir), []);
  });

  test("a file over UPLOADS.fileSize, or more files than UPLOADS.files: 413 with a code, no temporary file left", async () => {
    const big = new FormData();
    big.append("doc", new Blob(["small"]), "first.txt");
    big.append("other", new Blob(["y".repeat(100 * 1024)]), "big.bin");
    const tooLarge = await send(big);
    assert.equal(tooLarge.status, 413, JSON.stringify(tooLarge.body));
    assert.equal(tooLarge.body.error.code, "E_UPLOAD_TOO_LARGE");
    assert.match(tooLarge.body.error.message, /big\.bin.*64kb/);
    assert.deepEqual(await leftIn(dir), []);

    const many = new FormData();
    for (const name of ["a", "b", "c"]) many.append("doc", new Blob([name]), `${name}.txt`);
    const tooMany = await send(many);
    assert.equal(tooMany.status, 413, JSON.stringify(tooMany.body));
    assert.equal(tooMany.body.error.code, "E_TOO_MANY_UPLOADS");
    assert.deepEqual(await leftIn(dir), []);
  });

  test("multipart fields go through the input limits", async () => {
    const form = new FormData();
    for (let i = 0; i < 1_001; i++) form.append(`f${i}`, "1");
    form.append("doc", new Blob(["z"]), "z.txt");
    const { status, body } = await send(form);
    assert.equal(status, 400, JSON.stringify(body));
    assert.equal(body.error.code, "E_INPUT_TOO_WIDE");
    assert.deepEqual(await leftIn(dir), []);
  });
});
