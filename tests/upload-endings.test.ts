import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { setLogDestination } from "masonite/core";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import type { TestClient } from "masonite/testing";
import { startApp } from "./support/app";
import { HttpClient } from "./support/http";
import { encode, ENCODINGS, type Encoding, multipartBody, multipartType } from "./support/multipart";

class EndingsProbe extends Controller {
  @inject()
  ok(request: Request) {
    return { files: request.files().map((file) => file.size) };
  }

  @inject()
  fail(request: Request) {
    throw new Error(`the controller failed with ${request.files().length} file(s)`);
  }

  @inject()
  refuse(response: Response) {
    return response.json({ refused: true }, 422);
  }
}

const MB = 1024 * 1024;
/**
 * Four parts of 2 MB and a bit: compressed, about 260 KB that inflate to 8 MB. The random start of
 * each part keeps a compressor from folding the whole body into a few bytes, so half of the
 * compressed body is half of the parts, as it is of the identity one.
 */
const FOUR_FILES = multipartBody(Array.from({ length: 4 }, (_, i) => ({ name: `doc${i}`, filename: `part${i}.bin`, type: "application/octet-stream", content: Buffer.concat([randomBytes(64 * 1024), Buffer.alloc(2 * MB, i + 1)]) })));

async function until<T>(what: string, read: () => T, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Every way a request with uploads can end, with each Content-Encoding: its temporary files are
 * deleted and the request settles (its request-log line is written once its handling is over).
 */
describe("upload temp files are deleted on every end of the request, whatever its encoding", () => {
  let app: TestClient;
  let root: string;
  /** The app's private folder inside UPLOADS.dir, where the temporary files go. */
  let dir: string;
  let client: HttpClient;
  const logged: string[] = [];
  let previous: ReturnType<typeof setLogDestination>;
  let n = 0;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), "upload-endings-"));
    previous = setLogDestination({ write: (line: string) => void logged.push(line) });
    app = await startApp({
      // Long enough for 8 MB on a busy machine; short enough to wait for in the timeout case.
      app: { UPLOADS: { fileSize: "3mb", files: 4, dir: root }, SERVER: { requestTimeout: 5_000, headersTimeout: 5_000 } },
      logging: { REQUESTS: true, LEVEL: "info", PRETTY: false },
      routes: [Route.post("/_endings/ok/@n", [EndingsProbe, "ok"]), Route.post("/_endings/fail/@n", [EndingsProbe, "fail"]), Route.post("/_endings/refuse/@n", [EndingsProbe, "refuse"])],
    });
    setLogDestination(previous);
    [dir] = readdirSync(root).map((name) => path.join(root, name));
    client = new HttpClient(app.url, { timeoutMs: 60_000 });
  });
  after(async () => {
    client.close();
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  const headers = async (encoding: Encoding) => ({ "content-type": multipartType(), "content-encoding": encoding, "x-csrf-token": await app.csrfToken(), cookie: app.jar.header() ?? "" });
  // The request line ("POST /path 200 12.3 ms") is written once the request's handling is over, whatever its end.
  const settled = (url: string) => until(`the request log line for ${url}`, () => logged.filter((line) => new RegExp(`"POST ${url} \\d{3} `).test(line)), (lines) => lines.length === 1);
  const emptied = () => until(`${dir} to be empty`, () => readdirSync(dir), (names) => names.length === 0);

  /** Sends the body and reads the answer; returns it once the folder is empty and the request has settled. */
  const send = async (kind: string, body: Buffer, encoding: Encoding): Promise<{ status: number; body: string }> => {
    const url = `/_endings/${kind}/${++n}`;
    const reply = await client.request(url, { method: "POST", headers: await headers(encoding), body: encode(body, encoding) });
    await settled(url);
    await emptied();
    return reply;
  };

  /**
   * Sends the start of the encoded body (all of it with `whole`) and waits until a temporary file
   * exists; then closes the socket, or (`stall`) waits for the server to time the request out.
   */
  const abort = async (body: Buffer, encoding: Encoding, whole: boolean, stall = false): Promise<void> => {
    const url = `/_endings/ok/${++n}`;
    const encoded = encode(body, encoding);
    const sent = whole ? encoded : encoded.subarray(0, Math.floor(encoded.length / 2));
    const head = Object.entries({ ...(await headers(encoding)), host: "127.0.0.1", "content-length": String(encoded.length) }).map(([name, value]) => `${name}: ${value}\r\n`).join("");
    const socket = connect(Number(new URL(app.url).port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`POST ${url} HTTP/1.1\r\n${head}\r\n`);
    socket.write(sent);
    await until("a temporary file to appear", () => readdirSync(dir).length, (count) => count > 0);
    if (stall) {
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
      await until("the server to time the request out", () => socket.destroyed || socket.readableEnded, (over) => over);
      assert.match(answer, /^HTTP\/1\.1 408 /);
    }
    socket.destroy();
    await settled(url);
    await emptied();
  };

  for (const encoding of ENCODINGS) {
    describe(encoding, () => {
      test("answered: 200, the controller had the files", async () => {
        const reply = await send("ok", FOUR_FILES, encoding);
        assert.equal(reply.status, 200, reply.body);
        assert.deepEqual(JSON.parse(reply.body), { files: Array(4).fill(2 * MB + 64 * 1024) });
      });
      test("the controller throws: 500", async () => {
        assert.equal((await send("fail", FOUR_FILES, encoding)).status, 500);
      });
      test("the controller answers a 4xx", async () => {
        assert.equal((await send("refuse", FOUR_FILES, encoding)).status, 422);
      });
      test("a file over UPLOADS.fileSize: 413", async () => {
        const big = multipartBody([{ name: "a", filename: "a.bin", content: Buffer.alloc(2 * MB, 1) }, { name: "b", filename: "b.bin", content: Buffer.alloc(4 * MB, 2) }]);
        assert.equal((await send("ok", big, encoding)).status, 413);
      });
      test("the client goes away mid-part", async () => {
        await abort(FOUR_FILES, encoding, false);
      });
      test("the client stalls mid-part: SERVER.requestTimeout ends the request", async () => {
        await abort(FOUR_FILES, encoding, false, true);
      });
      test("the client goes away once all is sent, while the body is still being decoded and written", async () => {
        await abort(FOUR_FILES, encoding, true);
      });
    });
  }
});
