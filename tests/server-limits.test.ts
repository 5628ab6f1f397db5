import "./support/env";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { Application } from "masonite/foundation";
import type { TestClient } from "masonite/testing";
import { startApp, testKernel } from "./support/app";

/** A raw connection to the app, and what it has received until the server closed it. */
async function open(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const socket = connect(Number(new URL(url).port), "127.0.0.1");
  let received = "";
  const started = performance.now();
  socket.on("data", (chunk) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined); // a reset is a close too
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now() - started)));
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return { socket, received: () => received, closed };
}

/** Waits for the server to close the connection, within a budget that only catches a hang. */
async function closedWithin(connection: { closed: Promise<number> }, budgetMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server held the connection over ${budgetMs} ms`)), budgetMs);
  });
  try {
    return await Promise.race([connection.closed, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe("SERVER in config/app.ts bounds every connection, over HTTP", () => {
  let app: TestClient;

  before(async () => {
    app = await startApp({ app: { SERVER: { requestTimeout: 1_500, headersTimeout: 1_000, keepAliveTimeout: 500, maxConnections: 10_000 } } });
  });
  after(() => app.close());

  test("a stalled upload is answered 408 and closed after requestTimeout, not Node's 300 s", async () => {
    const connection = await open(app.url);
    connection.socket.write("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":");
    const ms = await closedWithin(connection, 15_000);
    assert.match(connection.received(), /^HTTP\/1\.1 408 /, connection.received());
    assert.ok(ms >= 1_000, `closed after ${Math.round(ms)} ms, not before the timeout`);
  });

  test("headers that never end are closed after headersTimeout", async () => {
    const connection = await open(app.url);
    connection.socket.write("GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    await closedWithin(connection, 15_000);
    assert.match(connection.received(), /^HTTP\/1\.1 408 /, connection.received());
  });

  test("an idle keep-alive connection is closed after keepAliveTimeout", async () => {
    const connection = await open(app.url);
    connection.socket.write("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n");
    await closedWithin(connection, 15_000);
    assert.match(connection.received(), /^HTTP\/1\.1 200 /, connection.received());
  });
});

describe("SERVER.maxConnections", () => {
  test("connections past the cap are closed as they arrive; one is taken again once a slot is free", async () => {
    const application = await Application.create(testKernel({ app: { SERVER: { maxConnections: 2 } } }));
    const url = await application.listen(0);
    try {
      const first = await open(url);
      const second = await open(url);
      // The server counts a connection once it has accepted it: asked on each, so both are in.
      for (const connection of [first, second]) connection.socket.write("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n");
      for (let i = 0; i < 500 && ![first, second].every((c) => c.received().includes("\r\n\r\n")); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const third = await open(url);
      third.socket.write("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n");
      await closedWithin(third, 15_000);
      assert.equal(third.received(), "", "the third connection got no answer");
      first.socket.destroy();
      await first.closed;
      // The server learns of the close a moment later: retried until a slot is free.
      let answer = "";
      for (let i = 0; i < 100 && !answer.startsWith("HTTP/1.1 200"); i++) {
        const next = await open(url);
        next.socket.write("GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        await closedWithin(next, 15_000);
        answer = next.received();
      }
      assert.match(answer, /^HTTP\/1\.1 200 /);
      second.socket.destroy();
    } finally {
      await application.close();
    }
  });
});
