import "./support/env";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { injectable } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Logger, setLogDestination, type LogSettings } from "masonite/core";
import { Route } from "masonite/routes";
import type { TestClient } from "masonite/testing";
import { startApp, type TestAppOptions } from "./support/app";
import { PROBE_ROUTES } from "./support/probes";
import { RedisServer } from "./support/redis";

const ROOT = path.resolve(__dirname, "..");

/** An app whose log lines land in `lines` (JSON unless PRETTY), one entry per line. */
async function loggedApp(logging: Partial<LogSettings>, options: TestAppOptions = {}): Promise<{ app: TestClient; lines: string[] }> {
  const lines: string[] = [];
  const previous = setLogDestination({ write: (line: string) => void lines.push(line) });
  try {
    return { app: await startApp({ routes: PROBE_ROUTES, ...options, logging: { LEVEL: "info", PRETTY: false, ...logging } }), lines };
  } finally {
    setLogDestination(previous);
  }
}

/** Logs through the app's Logger, asked for by type. */
@injectable()
class OrderController extends Controller {
  constructor(readonly log: Logger) {
    super();
  }
  place() {
    this.log.info("order placed", { orderId: 42 });
    return "placed";
  }
}

const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string });

describe("logging: a line per request, errors with their cause, secrets kept out", () => {
  let app: TestClient;
  let lines: string[];
  before(async () => ({ app, lines } = await loggedApp({ REQUESTS: true }, { routes: [...PROBE_ROUTES, Route.get("/_orders/place", [OrderController, "place"])] })));
  after(() => app.close());

  test("each request is one line: method, path, status and duration, never the query string", async () => {
    lines.length = 0;
    await app.get("/?name=Ada&token=reset-s3cret").then((page) => page.assertOk());
    await app.post("/contact", { name: "Ada" }, { headers: { referer: `${app.url}/contact` } });
    await app.get("/no/such/page");
    const requests = parsed(lines).filter((line) => line.request);
    assert.deepEqual(
      requests.map(({ request }) => { const { method, path, status } = request as Record<string, unknown>; return `${method} ${path} ${status}`; }),
      ["GET / 200", "POST /contact 302", "GET /no/such/page 404"],
    );
    for (const { request, msg } of requests) {
      const { ms } = request as { ms: number };
      assert.ok(typeof ms === "number" && ms >= 0 && ms < 10_000, `a duration in ms: ${ms}`);
      assert.match(msg, /^(GET|POST) \S+ \d{3} \d+(\.\d)? ms$/);
    }
    assert.doesNotMatch(lines.join(""), /reset-s3cret|token=/, "the query string stays out of the log");
  });

  test("a controller asks for the app's Logger by type, and its lines go where the app's go", async () => {
    lines.length = 0;
    const placed = await app.get("/_orders/place");
    assert.equal(placed.status, 200, lines.join(""));
    placed.assertSee("placed");
    assert.deepEqual(parsed(lines).filter((line) => line.msg === "order placed").map((line) => line.orderId), [42]);
  });

  test("a 500 is logged as an error with its stack; the visitor sees none of it", async () => {
    lines.length = 0;
    const page = await app.get("/_probe/boom");
    page.assertStatus(500);
    assert.doesNotMatch(page.text, /kaboom/);
    const [failure] = parsed(lines).filter((line) => line.level === 50);
    assert.ok(failure, `an error line: ${lines.join("")}`);
    assert.match(failure.msg, /^GET \/_probe\/boom -> 500: kaboom: the controller failed$/);
    assert.match((failure.err as { stack: string }).stack, /at ProbeController\.boom/);
  });

  test("session cookies and CSRF tokens never reach a line, whatever the request carried", async () => {
    lines.length = 0;
    const form = await app.get("/contact");
    const token = /name="__token" value="([^"]+)"/.exec(form.text)?.[1];
    assert.ok(token, "the contact form carries a CSRF token");
    await app.post("/contact", { name: "", email: "x", password: "hunter2", __token: token }, { headers: { referer: `${app.url}/contact` } });
    const cookie = app.jar.header() ?? "";
    assert.ok(cookie.length > 20, "the visitor has a session cookie");
    // The requests were logged (their lines are where a secret would leak), just without the secrets.
    assert.deepEqual(parsed(lines).filter((line) => line.request).map((line) => line.msg.split(" ").slice(0, 3).join(" ")), ["GET /contact 200", "POST /contact 302"]);
    const text = lines.join("");
    for (const secret of [token, "hunter2", ...cookie.split("; ").map((pair) => pair.split("=")[1]!)]) assert.equal(text.includes(secret), false, `a secret reached the log: ${secret.slice(0, 12)}…`);
  });
});

test("a session store that goes down is logged with its cause, once per failed request", async (t) => {
  const redis = await RedisServer.startOrSkip(t);
  if (!redis) return;
  const { app, lines } = await loggedApp({}, { driver: "redis", redisUrl: redis.url });
  try {
    (await app.post("/_lab", { ops: [{ op: "set", key: "kept", value: 1 }] }, { json: true })).assertOk();
    await redis.stop();
    lines.length = 0;
    (await app.get("/_lab/all")).assertStatus(503);
    const warnings = parsed(lines).filter((line) => line.level === 40 && /-> 503/.test(line.msg));
    assert.equal(warnings.length, 1, lines.join(""));
    assert.match(warnings[0]!.msg, /^GET \/_lab\/all -> 503: The session store, Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\), is unavailable: [^;]+; start that Redis \(or wait for it to come back\), or point REDIS_HOST\/REDIS_PORT, REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER in config\/session\.ts at one that runs\.$/);
    assert.equal(warnings[0]!.code, "E_SESSION_STORE_UNAVAILABLE");
  } finally {
    await app.close();
  }
});

test("request lines are off unless asked for (the testing and production defaults)", async () => {
  const { app, lines } = await loggedApp({ REQUESTS: undefined });
  try {
    await app.get("/").then((page) => page.assertOk());
    assert.deepEqual(parsed(lines).filter((line) => line.request), []);
  } finally {
    await app.close();
  }
});

test("npm test stays quiet: a passing test shows none of the app's log, a failing one shows it under its name", () => {
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "-r", "masonite/register", path.join(ROOT, "tests", "fixtures", "logs", "capture.fixture.ts")], {
    cwd: ROOT,
    encoding: "utf8",
    // Out of this test's own runner (NODE_TEST_CONTEXT), so the fixture runs as a file of its own.
    env: { ...process.env, LOG_LEVEL: "info", NODE_TEST_CONTEXT: undefined },
    timeout: 60_000,
  });
  const output = run.stdout + run.stderr;
  assert.equal(run.status, 1, `the fixture has one failing test:\n${output}`);
  assert.match(output, /what the app logged during the failed test "fails after a 500"[\s\S]*ERROR: GET \/_probe\/boom -> 500: kaboom/);
  assert.equal(output.match(/what the app logged/g)?.length, 1, `only the failing test's log is shown:\n${output}`);
});
