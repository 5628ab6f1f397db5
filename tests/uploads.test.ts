import "./support/env";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Route } from "masonite/routes";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";
import { encode, multipartBody, multipartType } from "./support/multipart";

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
  let root: string;
  /** The app's private folder inside UPLOADS.dir, where the temporary files go. */
  let dir: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), "uploads-test-"));
    app = await startApp({ app: { UPLOADS: { fileSize: "64kb", files: 2, dir: root } }, routes: [Route.post("/_upload", [UploadProbe, "store"]), Route.post("/_upload/fail", [FailingUploadProbe, "store"])] });
    [dir] = readdirSync(root).map((name) => path.join(root, name));
  });
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
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

  /**
   * Sends the body in chunked encoding (no Content-Length), 64 KB at a time, until the answer's
   * head arrives or the server closes: a refusal that comes before the whole body is read.
   */
  const sendChunked = async (body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> => {
    const head = Object.entries({ host: "127.0.0.1", accept: "application/json", "content-type": multipartType(), "transfer-encoding": "chunked", ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join("");
    const socket = connect(Number(new URL(app.url).port), "127.0.0.1");
    let answer = "";
    let closed = false;
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("error", () => undefined); // the server may close while this still writes: the answer is what counts
    socket.on("close", () => (closed = true));
    socket.write(`POST /_upload HTTP/1.1\r\n${head}\r\n`);
    for (let at = 0; at < body.length && !closed && !answer.includes("\r\n\r\n"); at += 64 * 1024) {
      const piece = body.subarray(at, at + 64 * 1024);
      socket.write(`${piece.length.toString(16)}\r\n`);
      socket.write(piece);
      if (!socket.write("\r\n")) await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
    }
    if (!closed) socket.write("0\r\n\r\n");
    for (let i = 0; i < 750 && !closed && !/\r\n\r\n[\s\S]*\}/.test(answer); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    const split = answer.indexOf("\r\n\r\n");
    const rest = answer.slice(split + 4);
    // The JSON error, whether sent with a Content-Length or in chunks.
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), body: rest.slice(rest.indexOf("{"), rest.lastIndexOf("}") + 1) };
  };

  test("without Content-Length, every decoded byte counts against the body limit, skipped parts too: 413", async () => {
    const headers = { "x-csrf-token": await app.csrfToken(), cookie: app.jar.header() ?? "" };
    const threeMb = Buffer.alloc(3 * 1024 * 1024, 0x61);
    const bodies: [string, Buffer, string][] = [
      ["an octet-stream part without a file name", multipartBody([{ name: "blob", type: "application/octet-stream", content: threeMb }]), "identity"],
      ["a file input with an empty file name", multipartBody([{ name: "doc", filename: "", content: threeMb }]), "identity"],
      ["gzip that inflates past the limit", encode(multipartBody([{ name: "blob", type: "application/octet-stream", content: threeMb }]), "gzip"), "gzip"],
    ];
    for (const [what, body, encoding] of bodies) {
      const reply = await sendChunked(body, { ...headers, "content-encoding": encoding });
      assert.equal(reply.status, 413, `${what}: ${JSON.stringify(reply)}`);
      assert.equal(JSON.parse(reply.body).error.code, "E_BODY_TOO_LARGE", what);
    }
    assert.deepEqual(await leftIn(dir), []);
  });

  describe("a multipart body is read only once its route and the route's middleware let it through", () => {
    /**
     * Sends the head and half of a multipart body (its Content-Length declares all of it) and
     * waits for the answer: a request refused before its body is read is answered while the
     * client is still sending, with nothing written to the upload folder.
     */
    const answeredEarly = async (target: string, headers: Record<string, string>): Promise<{ status: number; files: string[] }> => {
      const body = multipartBody([{ name: "doc", filename: "a.txt", content: "x".repeat(60 * 1024) }]);
      const head = Object.entries({ host: "127.0.0.1", accept: "application/json", "content-type": multipartType(), "content-length": String(body.length), ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join("");
      const socket = connect(Number(new URL(app.url).port), "127.0.0.1");
      try {
        let answer = "";
        const answered = new Promise<void>((resolve, reject) => {
          socket.on("data", (chunk) => {
            answer += chunk.toString("latin1");
            if (answer.includes("\r\n\r\n")) resolve();
          });
          socket.on("error", reject);
          setTimeout(() => reject(new Error(`no answer to ${target} while its body was incomplete`)), 15_000).unref();
        });
        socket.write(`POST ${target} HTTP/1.1\r\n${head}\r\n`);
        socket.write(body.subarray(0, body.length / 2));
        await answered;
        return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]), files: readdirSync(dir) };
      } finally {
        socket.destroy();
      }
    };

    test("a path no route answers: 404 before the body is read, no file written", async () => {
      assert.deepEqual(await answeredEarly("/no/such/upload", {}), { status: 404, files: [] });
    });

    test("a web route with a wrong X-CSRF-TOKEN header: 419 before the body is read, no file written", async () => {
      await app.csrfToken();
      assert.deepEqual(await answeredEarly("/_upload", { "x-csrf-token": "not-the-token", cookie: app.jar.header() ?? "" }), { status: 419, files: [] });
    });

    test("the same route with the right header token reads the body (the check above is not vacuous)", async () => {
      const form = new FormData();
      form.append("doc", new Blob(["with the header token"]), "doc.txt");
      const reply = await fetch(`${app.url}/_upload`, { method: "POST", headers: { accept: "application/json", cookie: app.jar.header() ?? "", "x-csrf-token": await app.csrfToken() }, body: form });
      assert.equal(reply.status, 200);
      assert.equal(((await reply.json()) as { doc: { content: string } }).doc.content, "with the header token");
      assert.deepEqual(await leftIn(dir), []);
    });
  });
});
