import "./support/env";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import type { Kernel } from "masonite/foundation";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route, RouteTable } from "masonite/routes";
import { TestClient } from "masonite/testing";
import { View } from "masonite/views";
import { testKernel } from "./support/app";

class FailingApiController extends Controller {
  boom(): never {
    throw new Error("the api controller failed");
  }
}

/** Raw HTTP as curl sends it: no cookie, no token, and a browser's Accept to show errors are JSON anyway. */
function send(base: string, method: string, pathname: string, body?: unknown): Promise<globalThis.Response> {
  const headers: Record<string, string> = { accept: "text/html,*/*" };
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(base + pathname, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
}

describe("route groups: routes/web.ts through the web group, routes/api.ts under /api through the api group", () => {
  let app: TestClient;
  before(async () => {
    const kernel = testKernel();
    const probes = Route.group([Route.get("/boom", [FailingApiController, "boom"])], { prefix: "/api/_probe", middleware: ["api"] });
    app = await TestClient.start({ ...kernel, routes: [...kernel.routes, ...probes] });
  });
  after(() => app.close());

  test("a JSON POST with no cookie and no token is answered by the api controller, and sets no cookie", async () => {
    const response = await send(app.url, "POST", "/api/echo", { name: "Ada", tags: ["a", "b"] });
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { received: { name: "Ada", tags: ["a", "b"] } });
    assert.deepEqual(response.headers.getSetCookie(), []);
    const status = await send(app.url, "GET", "/api/status");
    assert.equal(status.status, 200);
    assert.deepEqual(await status.json(), { status: "ok" });
    assert.deepEqual(status.headers.getSetCookie(), []);
  });

  test("an unknown /api path is a JSON 404 and a wrong method a JSON 405 with Allow, with no cookie", async () => {
    const missing = await send(app.url, "GET", "/api/nope");
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await missing.json(), { error: { status: 404, title: "Page not found", message: "No route matches GET /api/nope.", code: "E_ROUTE_NOT_FOUND" } });
    assert.deepEqual(missing.headers.getSetCookie(), []);
    const wrongMethod = await send(app.url, "DELETE", "/api/status");
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await wrongMethod.json(), { error: { status: 405, title: "Method not allowed", message: "DELETE /api/status is not allowed: this path takes HEAD, GET.", code: "E_METHOD_NOT_ALLOWED" } });
    assert.match(wrongMethod.headers.get("allow") ?? "", /GET/);
  });

  test("an error thrown in an api controller is JSON, with no details outside debug", async () => {
    const response = await send(app.url, "GET", "/api/_probe/boom");
    assert.equal(response.status, 500);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await response.json(), { error: { status: 500, title: "Something went wrong", message: "Something went wrong" } });
  });

  test("the web group keeps its session, CSRF check and HTML error pages", async () => {
    const refused = await send(app.url, "POST", "/contact", { name: "Ada" });
    assert.equal(refused.status, 419);
    assert.match(refused.headers.get("content-type") ?? "", /text\/html/);
    const missing = await send(app.url, "GET", "/nope");
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get("content-type") ?? "", /text\/html/);
    // "/apiary" is not under "/api": the web group answers it.
    assert.match((await send(app.url, "GET", "/apiary")).headers.get("content-type") ?? "", /text\/html/);
    const page = await send(app.url, "GET", "/");
    assert.equal(page.status, 200);
    assert.ok(page.headers.getSetCookie().some((cookie) => cookie.startsWith("masonite_session=")), "a web page starts a session");
  });

  test("a web page's links and an api route's named URL come from the one route table", async () => {
    assert.ok((await app.get("/contact")).text.includes('action="/contact"'));
    assert.equal(app.app.routes.url("api.echo"), "/api/echo");
  });
});

describe("URLs come from the app serving the request", () => {
  class LinksController extends Controller {
    /** Waits first, so requests to the two apps interleave before the URLs are built. */
    @inject()
    async links(request: Request, routes: RouteTable) {
      await sleep(Number(request.input("delay", "0")));
      return { user: routes.url("users.show", { id: 7 }), home: request.http.urlFor("home") };
    }

    @inject()
    page(view: View) {
      return view.render("links");
    }

    @inject()
    redirect(response: Response) {
      return response.redirect().route("users.show", { id: 1 });
    }
  }

  const templates = mkdtempSync(path.join(tmpdir(), "masonite-links-"));
  writeFileSync(path.join(templates, "links.html"), '<a id="user" href="{{ url("users.show", { id: 3 }) }}">user</a>');

  /** Two apps with the same route names at different paths. */
  function kernelWith(userPath: string, prefix: string): Kernel {
    const routes = [
      Route.get("/", [LinksController, "links"]).name("home"),
      Route.get(userPath, [LinksController, "links"]).name("users.show"),
      Route.get("/links", [LinksController, "links"]),
      Route.get("/page", [LinksController, "page"]),
      Route.get("/redirect", [LinksController, "redirect"]),
    ];
    return { ...testKernel(), routes: Route.group(routes, { prefix }), templates: [templates] };
  }

  let first: TestClient;
  let second: TestClient;
  before(async () => {
    first = await TestClient.start(kernelWith("/users/@id", ""));
    // Booted last: the app a process-wide table would have answered for both.
    second = await TestClient.start(kernelWith("/members/@id", "/club"));
  });
  after(async () => {
    await first.close();
    await second.close();
  });

  test("in controllers, under concurrent requests to both apps", async () => {
    const answers = await Promise.all([
      first.get("/links?delay=60", { headers: { accept: "application/json" } }),
      second.get("/club/links?delay=0", { headers: { accept: "application/json" } }),
      first.get("/links?delay=0", { headers: { accept: "application/json" } }),
      second.get("/club/links?delay=60", { headers: { accept: "application/json" } }),
    ]);
    assert.deepEqual(answers.map((answer) => answer.assertOk().json()), [
      { user: "/users/7", home: "/" },
      { user: "/club/members/7", home: "/club" },
      { user: "/users/7", home: "/" },
      { user: "/club/members/7", home: "/club" },
    ]);
  });

  test("in templates and in named redirects", async () => {
    assert.equal((await first.get("/page")).assertOk().text, '<a id="user" href="/users/3">user</a>');
    assert.equal((await second.get("/club/page")).assertOk().text, '<a id="user" href="/club/members/3">user</a>');
    (await first.get("/redirect")).assertRedirect("/users/1");
    (await second.get("/club/redirect")).assertRedirect("/club/members/1");
  });
});
