import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Koa from "koa";
import { BodyReader, UploadFolder } from "masonite/request";
import { contextFor } from "../../support/httpContext";
import { startedUpload } from "../../support/multipart";

async function emptied(dir: string): Promise<string[]> {
  for (let i = 0; i < 50 && readdirSync(dir).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return readdirSync(dir);
}

describe("BodyReader", () => {
  const reader = new BodyReader({ limit: "1mb", input: { depth: 3, keys: 4, total: 8 } });

  test("JSON: an object or array within the limits; other text is a coded 400", () => {
    assert.deepEqual(reader.parseJson('{"a":[1,{"b":2}]}'), { a: [1, { b: 2 }] });
    assert.deepEqual(reader.parseJson(""), {});
    assert.throws(() => reader.parseJson('"text"'), { code: "E_BODY_NOT_JSON" });
    assert.throws(() => reader.parseJson('{"a":1} trailing'), { code: "E_BODY_NOT_JSON" });
    assert.throws(() => reader.parseJson('{"a":[[[[1]]]]}'), { code: "E_INPUT_TOO_DEEP" });
    assert.throws(() => reader.parseJson("[1,2,3,4,5]"), { code: "E_INPUT_TOO_WIDE" });
    assert.throws(() => reader.parseJson('{"__proto__":{"x":1}}'), { code: "E_INPUT_PROTO_KEY" });
  });

  test("forms: nested keys and dots as before, and the same limits as JSON; nothing is cut short in silence", () => {
    assert.deepEqual(reader.parseForm("user[name]=a&user.email=b&tags[]=x&tags[]=y"), { user: { name: "a", email: "b" }, tags: ["x", "y"] });
    assert.throws(() => reader.parseForm("a[b][c][d]=1"), { code: "E_INPUT_TOO_DEEP" });
    assert.throws(() => reader.parseForm(`a${"[b]".repeat(5_000)}=1`), { code: "E_INPUT_TOO_DEEP" });
    assert.throws(() => reader.parseForm("a=1&b=2&c=3&d=4&e=5"), { code: "E_INPUT_TOO_WIDE" });
    assert.throws(() => reader.parseForm("a[a]=1&a[b]=2&b[a]=3&b[b]=4&c[a]=5&c[b]=6"), { code: "E_INPUT_TOO_MANY" });
    // 2,000 parameters against a total of 1,000: refused, where qs alone would keep the first 1,000.
    assert.throws(() => new BodyReader({ limit: "1mb", input: { keys: 5_000, total: 1_000 } }).parseForm(Array.from({ length: 2_000 }, (_, i) => `f${i}=1`).join("&")), { code: "E_INPUT_TOO_MANY" });
  });

  describe("multipart bodies", () => {
    let dir: string;
    let url: string;
    let server: ReturnType<Koa["listen"]>;
    let seen: { body: unknown; files: { field: string; name: string; size: number }[] } | undefined;
    let modes: number[] = [];
    let multipart: BodyReader;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "bodyreader-test-"));
      chmodSync(dir, 0o755); // the reader makes a private folder inside
      const koa = new Koa();
      koa.silent = true; // the aborted upload is reported to the test, not logged
      koa.use(async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          const { status, code: errorCode } = error as { status?: number; code?: string };
          ctx.status = status ?? 500;
          ctx.body = { code: errorCode };
        }
      });
      multipart = new BodyReader({ limit: "1kb", input: { keys: 10, total: 20 }, uploads: { fileSize: "1kb", files: 2, dir } });
      koa.use(async (ctx, next) => {
        await multipart.read(contextFor(ctx));
        await next();
      });
      koa.use((ctx) => {
        // Plain objects for the comparison: the context holds the cleaned body, of null-prototype objects.
        seen = { body: JSON.parse(JSON.stringify(ctx.http.body)), files: ctx.http.uploads.map(({ field, name, size }) => ({ field, name, size })) };
        modes = ctx.http.uploads.map((file) => statSync(file.path).mode & 0o777);
        ctx.body = { ok: true };
      });
      server = koa.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => {
      server.close();
      multipart.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const post = async (form: FormData) => {
      seen = undefined;
      const reply = await fetch(url, { method: "POST", body: form });
      return { status: reply.status, body: (await reply.json()) as { code?: string } };
    };

    test("fields nest like a form's; files are listed; an empty file input is no upload", async () => {
      const form = new FormData();
      form.append("user[name]", "Ann");
      form.append("doc", new Blob(["abc"]), "dir/a.txt");
      form.append("empty", new Blob([]), "");
      assert.equal((await post(form)).status, 200);
      assert.deepEqual(seen, { body: { user: { name: "Ann" } }, files: [{ field: "doc", name: "a.txt", size: 3 }] });
      assert.deepEqual(await emptied(multipart.folder.path), []);
    });

    test("files are 0600 in the 0700 folder; UTF-8 names arrive as sent; a name that names no file is a 400", async () => {
      const form = new FormData();
      form.append("doc", new Blob(["abc"]), "ü名前.txt");
      form.append("field ü", "wert");
      assert.equal((await post(form)).status, 200);
      assert.deepEqual(seen, { body: { "field ü": "wert" }, files: [{ field: "doc", name: "ü名前.txt", size: 3 }] });
      assert.deepEqual(modes, [0o600]);
      assert.equal(statSync(multipart.folder.path).mode & 0o777, 0o700);
      assert.equal(statSync(dir).mode & 0o777, 0o755);
      for (const name of ["..", "a/..", ".", "dir/", "c:\\dir\\.."]) {
        const bad = new FormData();
        bad.append("doc", new Blob(["abc"]), name);
        const reply = await post(bad);
        assert.deepEqual([reply.status, reply.body.code, seen], [400, "E_UPLOAD_BAD_NAME", undefined], name);
      }
      assert.deepEqual(await emptied(multipart.folder.path), []);
    });

    test("over a limit: a coded 413, no route runs, and no temporary file stays", async () => {
      const cases: [string, FormData][] = [];
      const big = new FormData();
      big.append("doc", new Blob(["x".repeat(2048)]), "big.bin");
      cases.push(["E_UPLOAD_TOO_LARGE", big]);
      const many = new FormData();
      for (const name of ["a", "b", "c"]) many.append("doc", new Blob([name]), name);
      cases.push(["E_TOO_MANY_UPLOADS", many]);
      const fields = new FormData();
      fields.append("doc", new Blob(["kept until the fields fail"]), "doc.txt");
      fields.append("text", "t".repeat(2048));
      cases.push(["E_BODY_TOO_LARGE", fields]);
      for (const [expected, form] of cases) {
        const reply = await post(form);
        assert.deepEqual([reply.status, reply.body.code, seen], [413, expected, undefined], expected);
        assert.deepEqual(await emptied(multipart.folder.path), [], expected);
      }
    });

    test("a client that goes away mid-upload leaves no temporary file", async () => {
      const { port } = server.address() as AddressInfo;
      const socket = await startedUpload(port);
      for (let i = 0; i < 50 && readdirSync(multipart.folder.path).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(readdirSync(multipart.folder.path).length, 1, "the upload had started");
      socket.destroy();
      assert.deepEqual(await emptied(multipart.folder.path), []);
    });
  });

  describe("UploadFolder", () => {
    test("a configured folder keeps its mode and gets a private (0700) folder of the app's inside, gone at close; one that cannot hold it is a coded error at start-up", () => {
      const root = mkdtempSync(path.join(tmpdir(), "upload-folder-test-"));
      try {
        const fresh = path.join(root, "new", "uploads");
        const made = new UploadFolder(fresh);
        assert.equal(path.dirname(made.path), fresh);
        assert.equal(statSync(made.path).mode & 0o777, 0o700);
        const shared = path.join(root, "shared");
        mkdirSync(shared);
        chmodSync(shared, 0o1777); // like /tmp
        const inShared = new UploadFolder(shared);
        const folder = inShared.path;
        assert.equal(path.dirname(folder), shared);
        assert.equal(statSync(folder).mode & 0o777, 0o700);
        assert.equal(statSync(shared).mode & 0o7777, 0o1777, "the configured folder's mode is unchanged");
        inShared.close();
        assert.throws(() => statSync(folder), { code: "ENOENT" });
        assert.deepEqual(readdirSync(shared), []);
        writeFileSync(path.join(root, "file"), "");
        assert.throws(() => new UploadFolder(path.join(root, "file")), { code: "E_UPLOAD_FOLDER" });
        assert.throws(() => new UploadFolder(path.join(root, "file", "below")), { code: "E_UPLOAD_FOLDER" });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    test("the default folder is private, made in the system's temporary folder, and goes at close", () => {
      const made = new UploadFolder();
      const folder = made.path;
      assert.equal(path.dirname(folder), tmpdir());
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      made.close();
      assert.throws(() => statSync(folder), { code: "ENOENT" });
    });
  });
});

describe("BodyReader settings", () => {
  test("UPLOADS.files that is not a whole number of files stops start-up, naming the setting and the fix", () => {
    for (const files of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, "10" as unknown as number]) {
      assert.throws(() => new BodyReader({ limit: "1kb", uploads: { files } }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_BAD_UPLOAD_COUNT", String(files));
        assert.match(error.message, /UPLOADS\.files/);
        return true;
      });
    }
    for (const files of [0, 1, 10]) new BodyReader({ limit: "1kb", uploads: { files } }).close();
  });
});
