import "./support/env";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { AppProcess } from "./support/appProcess";
import { HttpClient, type Reply } from "./support/http";
import { multipartBody, multipartType } from "./support/multipart";

/** Bodies a browser never sends; each once crashed the process or must not. */
const MALFORMED: [string, Buffer, string?][] = [
  ["a part without a name", Buffer.from('--XX\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XX--\r\n'), "E_MULTIPART_NO_NAME"],
  ["a part with an empty name", multipartBody([{ name: "", content: "v" }]), "E_MULTIPART_NO_NAME"],
  ["a file part without a name", multipartBody([{ disposition: 'form-data; filename="a.txt"', content: "v" }]), "E_MULTIPART_NO_NAME"],
  ["a part without Content-Disposition", multipartBody([{ disposition: null, type: "text/plain", content: "v" }, { name: "kept", content: "yes" }]), "E_MULTIPART_MALFORMED"],
  ["a part without any header", multipartBody([{ disposition: null, content: "v" }]), "E_MULTIPART_MALFORMED"],
  ["duplicate boundaries", Buffer.from('--XX\r\n--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--XX--\r\n')],
  ["a truncated part", Buffer.from('--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue cut sho')],
  ["a truncated file part without a file name", Buffer.from('--XX\r\nContent-Disposition: form-data; name="doc"; filename=""\r\n\r\npartial')],
  ["a truncated file part", Buffer.from('--XX\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\n\r\npartial')],
  ["a header-only part", Buffer.from('--XX\r\nContent-Disposition: form-data; name="a"\r\n')],
  ["binary garbage", randomBytes(4096)],
  ["a file named ..", multipartBody([{ name: "doc", filename: "..", content: "v" }]), "E_UPLOAD_BAD_NAME"],
];

describe("malformed multipart bodies: a 4xx each, the process stays up, other clients never notice", () => {
  let app: AppProcess;
  let client: HttpClient;

  before(async () => {
    app = await AppProcess.start({ env: { SESSION_DRIVER: "cookie" } });
    client = new HttpClient(app.url);
  });
  after(() => {
    client.close();
    app.kill();
  });

  const post = (path: string, body: Buffer) => client.request(path, { method: "POST", headers: { "content-type": multipartType() }, body });

  test("each malformed body, to an unknown path and to a route that reads it, while a second client keeps asking", async () => {
    const failures: Reply[] = [];
    let watching = true;
    let watched = 0;
    const watcher = (async () => {
      const second = new HttpClient(app.url);
      while (watching) {
        const reply = await second.request("/api/status");
        watched++;
        if (reply.status !== 200) failures.push(reply);
      }
      second.close();
    })();

    try {
      for (let round = 0; round < 3; round++) {
        for (const [what, body, code] of MALFORMED) {
          const unknown = await post("/any/path", body);
          assert.ok(unknown.status >= 400 && unknown.status < 500, `${what} to /any/path: ${unknown.status} ${unknown.error ?? unknown.body}`);
          const routed = await post("/api/echo", body);
          assert.ok(routed.status >= 400 && routed.status < 500, `${what} to /api/echo: ${routed.status} ${routed.error ?? routed.body}`);
          if (code) assert.equal(JSON.parse(routed.body).error.code, code, what);
          assert.ok(app.running, `the process is still up after ${what}:\n${app.output.slice(-2000)}`);
        }
      }
    } finally {
      watching = false;
      await watcher;
    }
    assert.ok(watched > 0, "the second client made requests");
    assert.deepEqual(failures, [], "the second client never saw a failure");
    assert.ok(app.running, app.output.slice(-2000));
  });

  test("a well-formed form still reads, fields and an empty file input among them", async () => {
    const body = multipartBody([{ name: "title", content: "Report" }, { name: "empty", filename: "", type: "application/octet-stream", content: "" }, { name: "note", content: "a line with --XX in it" }]);
    const reply = await post("/api/echo", body);
    assert.equal(reply.status, 201, reply.body);
    assert.deepEqual(JSON.parse(reply.body).received, { title: "Report", note: "a line with --XX in it" });
  });
});
