import "./support/env";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { describe, test } from "node:test";
import { startApp } from "./support/app";
import { AppProcess } from "./support/appProcess";
import { HttpClient } from "./support/http";
import { freePort, waitFor } from "./support/redis";

/**
 * What production gets whatever way it is reached (NODE_ENV alone), and the settings that
 * would quietly weaken it: a spoofable client IP, --reload's error page, an http:// APP_URL.
 */

const ROOT = path.resolve(__dirname, "..");

/** Runs `craft <args>` to its end (or kills it past the deadline) and returns its exit code and output. */
async function craftRun(args: string[], env: Record<string, string | undefined>, deadlineMs = 60_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["-r", "masonite/register", "craft.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

describe("production guards", () => {
  test("NODE_ENV=production without APP_ENV runs as production: the 404 page lists no routes", { timeout: 60_000 }, async (t) => {
    const app = await AppProcess.start({ env: { APP_ENV: undefined, APP_DEBUG: undefined, NODE_ENV: "production", SESSION_DRIVER: "cookie" } });
    t.after(() => app.kill());
    const client = new HttpClient(app.url);
    t.after(() => client.close());
    const page = await client.request("/no-such-page", { headers: { accept: "text/html" } });
    assert.equal(page.status, 404);
    // The debug 404 lists every route, the test-only ones included; the app's own page does not.
    assert.match(page.body, /There is no page at this address/);
    assert.doesNotMatch(page.body, /_rel\/origin/, "the production 404 page shows no route list");
  });

  test("TRUST_PROXY is a hop count: with 1, the client's IP is the last X-Forwarded-For entry, not the one a client wrote", { timeout: 60_000 }, async (t) => {
    const app = await AppProcess.start({ env: { SESSION_DRIVER: "cookie", TRUST_PROXY: "1" } });
    t.after(() => app.kill());
    const client = new HttpClient(app.url);
    t.after(() => client.close());
    const origin = JSON.parse((await client.request("/_rel/origin", { headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.9", "x-forwarded-proto": "https" } })).body) as { ip: string; protocol: string };
    assert.equal(origin.ip, "203.0.113.9");
    assert.equal(origin.protocol, "https");
  });

  test("the session registry shows the address the proxy saw, not a forged X-Forwarded-For entry", async (t) => {
    const app = await startApp({ driver: "memory", app: { TRUST_PROXY: 1 } });
    t.after(() => app.close());
    const headers = { "x-forwarded-for": "6.6.6.6, 203.0.113.9" };
    (await app.get("/_auth/sign-in/alice", { headers })).assertRedirect();
    const page = await app.get("/account/sessions", { headers });
    assert.match(page.text, /<span class="ip">203\.0\.113\.9<\/span>/);
    assert.doesNotMatch(page.text, /6\.6\.6\.6/);
  });

  test("TRUST_PROXY=true stops start-up with a message naming the hop count to set", { timeout: 60_000 }, async () => {
    const { code, output } = await craftRun(["serve", "--port", String(await freePort())], { APP_ENV: "production", APP_DEBUG: "false", TRUST_PROXY: "true", SESSION_DRIVER: "cookie" });
    assert.equal(code, 1, output);
    assert.match(output, /TRUST_PROXY is true, .*forge: set TRUST_PROXY to the number of reverse proxies/);
    assert.doesNotMatch(output, /serving on/);
  });

  test("craft serve --reload outside development refuses to start, so no client is shown the load-error page", { timeout: 90_000 }, async () => {
    for (const env of [{ APP_ENV: "production" }, { APP_ENV: undefined, NODE_ENV: "production" }, { APP_ENV: "testing" }]) {
      const { code, output } = await craftRun(["serve", "--reload", "--port", String(await freePort())], { APP_DEBUG: "false", SESSION_DRIVER: "cookie", ...env });
      assert.equal(code, 1, `${JSON.stringify(env)}: ${output}`);
      assert.match(output, /^craft: serve --reload is for development, and the environment is (production|testing): .*Run craft serve without --reload/m);
    }
  });

  test("production with an http:// APP_URL warns at start-up that the session cookie goes without Secure; https:// does not", { timeout: 60_000 }, async (t) => {
    const [plain, tls] = await Promise.all([
      AppProcess.start({ env: { SESSION_DRIVER: "cookie", LOG_LEVEL: "warn" } }),
      AppProcess.start({ env: { SESSION_DRIVER: "cookie", LOG_LEVEL: "warn", APP_URL: "https://example.test" } }),
    ]);
    t.after(() => {
      plain.kill();
      tls.kill();
    });
    await waitFor("the warning to be written", () => /without Secure/.test(plain.output));
    assert.match(plain.output, /"level":40,.*the session cookie is sent without Secure \(APP_URL is http:\/\/127\.0\.0\.1:\d+\)/);
    assert.doesNotMatch(tls.output, /without Secure/);
  });
});
