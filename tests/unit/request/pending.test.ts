import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Koa from "koa";
import { BodyReader } from "masonite/request";
import { contextFor } from "../../support/httpContext";
import { startedUpload } from "../../support/multipart";

async function until(condition: () => boolean, what: string): Promise<void> {
  // Only catches a hang: generous for two busy cores.
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition(), what);
}

describe("a multipart body read after its route's middleware", () => {
  let root: string;
  let reader: BodyReader;
  let server: ReturnType<Koa["listen"]>;
  let settled: string | undefined;
  let seen: unknown;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), "pending-test-"));
    reader = new BodyReader({ limit: "1kb", uploads: { fileSize: "1kb", files: 2, dir: root } });
    const koa = new Koa();
    koa.silent = true;
    koa.use(async (ctx, next) => {
      if (ctx.path !== "/input") return next();
      const http = contextFor(ctx);
      await reader.begin(http);
      const { request } = http;
      // Middleware that reads input before the route reads the pending body.
      const early = request.input("q");
      await http.readBody();
      seen = { early, all: { ...request.all() }, name: request.input("name") };
      ctx.body = "ok";
    });
    koa.use(async (ctx) => {
      const http = contextFor(ctx);
      await reader.begin(http);
      // Middleware that takes its time: the client is gone before the body is read.
      await new Promise((resolve) => (ctx.res.closed ? resolve(undefined) : ctx.res.once("close", resolve)));
      try {
        await http.readBody();
        settled = "read";
      } catch (error) {
        settled = (error as { code?: string }).code;
      }
    });
    server = koa.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
  });
  after(() => {
    server.close();
    reader.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("settles as an aborted body when the client disconnected first, and keeps no file", async () => {
    const { port } = server.address() as AddressInfo;
    const socket = await startedUpload(port);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await until(() => settled !== undefined, "the pending read settled");
    assert.equal(settled, "E_BODY_ABORTED");
    const folder = reader.folder.path;
    await until(() => readdirSync(folder).length === 0, "no temporary file stays");
  });

  test("input read before the body was cannot hide the body's fields from the controller", async () => {
    const form = new FormData();
    form.append("name", "Ann");
    const { port } = server.address() as AddressInfo;
    const reply = await fetch(`http://127.0.0.1:${port}/input?q=1`, { method: "POST", body: form });
    assert.equal(reply.status, 200);
    assert.deepEqual(seen, { early: "1", all: { q: "1", name: "Ann" }, name: "Ann" });
  });
});
