import "./support/env";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { inject, injectable } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Application } from "masonite/foundation";
import { Route } from "masonite/routes";
import type { Next } from "masonite/middleware";
import { Request, type HttpContext } from "masonite/request";
import { SessionProvider } from "masonite/sessions";
import { TestClient } from "masonite/testing";
import { startApp, testKernel } from "./support/app";
import { PROBE_ROUTES } from "./support/probes";

/** Route middleware that counts its constructions and tags each answer with the request's own input. */
class TaggingMiddleware {
  static built = 0;
  constructor() {
    TaggingMiddleware.built++;
  }
  async handle(ctx: HttpContext, next: Next): Promise<void> {
    await next();
    ctx.koa.set("x-tag", String(ctx.request.input("tag", "")));
  }
}

/** Asks for the request in its constructor, which a middleware made at start-up cannot have. */
@injectable()
class RequestHungryMiddleware {
  constructor(readonly request: Request) {}
  async handle(_ctx: HttpContext, next: Next): Promise<void> {
    await next();
  }
}

class TaggedController extends Controller {
  show() {
    return "tagged";
  }
}

describe("kernel: routes, method injection, responses, errors", () => {
  let app: TestClient;
  before(async () => {
    app = await startApp({ routes: PROBE_ROUTES });
  });
  after(() => app.close());

  test("the welcome page is rendered by Nunjucks through an injected View and Request", async () => {
    const page = await app.get("/?name=Ada");
    page.assertOk().assertSee("Hello, Ada!").assertSee("Hello from an injected service");
    assert.match(page.header("content-type") ?? "", /text\/html/);
  });

  test("injection resolves Request, Response, View, Session and app services, one set per request", async () => {
    const [slow, fast] = await Promise.all([
      app.get("/_probe/scoped?tag=slow&delay=80", { headers: { accept: "application/json" } }),
      app.get("/_probe/scoped?tag=fast&delay=0", { headers: { accept: "application/json" } }),
    ]);
    const a = slow.assertOk().json<Record<string, unknown>>();
    const b = fast.assertOk().json<Record<string, unknown>>();
    assert.equal(a.seenTag, "slow", "the slow request kept its own Request while another ran");
    assert.equal(b.seenTag, "fast");
    for (const key of ["request", "response", "view", "session"]) assert.notEqual(a[key], b[key], `${key} is request-scoped`);
    assert.equal(a.greeter, "Hello from an injected service");
    assert.equal(a.serviceSawSameRequest, true, "an @injectable service built for the request receives that request");
  });

  test("primitive parameters receive the route parameters in order, typed", async () => {
    const res = await app.get("/_probe/params/ada/42", { headers: { accept: "application/json" } });
    assert.deepEqual(res.assertOk().json(), { name: "ada", count: 42, typeOfCount: "number", param: "ada" });
  });

  test("the user route: @id param plus request input, returned as JSON", async () => {
    const res = await app.get("/users/17?q=hello");
    assert.deepEqual(res.assertOk().json(), { id: "17", q: "hello" });
    assert.match(res.header("content-type") ?? "", /application\/json/);
  });

  test("return values: string is HTML, array is JSON, undefined is 204, Response is sent as built", async () => {
    const text = await app.get("/_probe/text");
    assert.match(text.header("content-type") ?? "", /text\/html/);
    assert.equal(text.text, "<p>plain string is html</p>");
    assert.deepEqual((await app.get("/_probe/list")).json(), [1, 2, 3]);
    (await app.get("/_probe/nothing")).assertStatus(204);
    const built = await app.get("/_probe/status");
    built.assertStatus(201);
    assert.equal(built.header("x-probe"), "yes");
    assert.deepEqual(built.json(), { created: true });
  });

  test("named routes: url() in controllers, templates and named redirects", async () => {
    assert.deepEqual((await app.get("/_probe/urls")).json(), { user: "/users/7", welcome: "/" });
    (await app.get("/_probe/redirect-named")).assertRedirect("/users/a%20b");
    assert.ok((await app.get("/contact")).text.includes('action="/contact"'), "templates build links with url()");
  });

  test("back() goes to a same-origin Referer and ignores a foreign one", async () => {
    (await app.get("/_probe/back", { headers: { referer: `${app.url}/contact?x=1` } })).assertRedirect("/contact?x=1");
    (await app.get("/_probe/back", { headers: { referer: "https://evil.example/phish" } })).assertRedirect("/");
    (await app.get("/_probe/back")).assertRedirect("/");
  });

  test("back() never leaves the site: a same-host Referer whose path reads as another host falls back", async () => {
    const host = new URL(app.url).host;
    for (const path of ["//evil.example/x", "/\\evil.example", "/..//evil.example", "/%2F%2Fevil.example", "/%2f/evil.example", "/%5Cevil.example", "/%E0%A4%A"]) {
      const response = await app.get("/_probe/back", { headers: { referer: `http://${host}${path}` } });
      response.assertRedirect("/");
    }
    (await app.get("/_probe/back", { headers: { referer: `http://${host}/a//b?c=1` } })).assertRedirect("/a//b?c=1");
  });

  test("Request reads query, form and JSON bodies, only(), headers", async () => {
    const form = await app.post("/_probe/echo?a=query", { a: "body", b: "2" }, { headers: { "x-probe": "h", accept: "application/json" } });
    const echoed = form.assertOk().json<{ all: Record<string, unknown>; only: unknown; header: string; method: string; path: string }>();
    assert.equal(echoed.all.a, "body");
    assert.equal(echoed.all.b, "2");
    assert.deepEqual(echoed.only, { a: "body" });
    assert.equal(echoed.header, "h");
    assert.equal(echoed.method, "POST");
    assert.equal(echoed.path, "/_probe/echo");
    const json = await app.put("/_probe/echo", { nested: { x: [1, 2] } }, { json: true, headers: { accept: "application/json" } });
    assert.deepEqual(json.assertOk().json<{ all: unknown }>().all, { __token: await app.csrfToken(), nested: { x: [1, 2] } });
  });

  test("a malformed JSON body is a 400, an oversized one a 413, and the server keeps serving", async () => {
    const token = await app.csrfToken();
    const headers = { "content-type": "application/json", accept: "application/json", "x-csrf-token": token, cookie: app.jar.header()! };
    const bad = await fetch(`${app.url}/_probe/echo`, { method: "POST", headers, body: '{"a": ' });
    assert.equal(bad.status, 400);
    const huge = await fetch(`${app.url}/_probe/echo`, { method: "POST", headers, body: JSON.stringify({ a: "x".repeat(2 * 1024 * 1024) }) });
    assert.equal(huge.status, 413);
    (await app.get("/")).assertOk();
  });

  test("unknown routes render the 404 page; wrong methods 405", async () => {
    const missing = await app.get("/no/such/page");
    missing.assertStatus(404).assertSee("There is no page at this address.");
    const json = await app.get("/no/such/page", { headers: { accept: "application/json" } });
    assert.equal(json.json<{ error: { status: number } }>().error.status, 404);
    (await app.delete("/contact", {})).assertStatus(405);
  });

  test("a throwing controller gives the 500 page without details in production, and the server survives", async () => {
    const res = await app.get("/_probe/boom");
    res.assertStatus(500).assertSee("Something went wrong on our side");
    res.assertDontSee("kaboom");
    (await app.get("/")).assertOk();
  });

  test("a parameter the container cannot build is a 500 naming controller, method, position and type (debug)", async () => {
    const debugApp = await startApp({ routes: PROBE_ROUTES, app: { DEBUG: true } });
    try {
      const res = await debugApp.get("/_probe/unbuildable");
      res.assertStatus(500).assertSee("Cannot resolve parameter 1 (NotInjectable) of ProbeController.unbuildable");
      const boom = await debugApp.get("/_probe/boom");
      boom.assertStatus(500).assertSee("kaboom: the controller failed");
      assert.match(boom.text, /probes\.ts/, "debug pages show the stack");
    } finally {
      await debugApp.close();
    }
  });

  test("static files are served from storage/public", async () => {
    const css = await fetch(`${app.url}/css/app.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /text\/css/);
  });
});

describe("kernel: mistakes found at start-up", () => {
  class BadController extends Controller {
    noInject(_a: string) {
      return "x";
    }

    @inject()
    interfaceTyped(_v: { x: number }) {
      return "x";
    }

    @inject()
    tooManyParams(_a: string, _b: string) {
      return "x";
    }
  }

  async function bootError(route: ReturnType<typeof Route.get>): Promise<string> {
    const kernel = { ...testKernel(), routes: [route] };
    try {
      const app = await Application.create(kernel);
      await app.close();
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail("the application booted although the route is broken");
  }

  test("a controller whose constructor takes parameters but is not @injectable() (a 500 on every request before)", async () => {
    class Mailer {
      send() {}
    }
    class UndecoratedController extends Controller {
      constructor(readonly mailer: Mailer) {
        super();
      }
      show() {
        return "x";
      }
    }
    const message = await bootError(Route.get("/mail", [UndecoratedController, "show"]));
    assert.match(message, /UndecoratedController\.show cannot run: the constructor of UndecoratedController takes 1 parameter\(s\) but the class is not marked @injectable\(\)/);
    assert.match(message, /GET \/mail/, "the route is named");
  });

  test("a method with parameters but no @inject()", async () => {
    assert.match(await bootError(Route.get("/x/@a", [BadController, "noInject"])), /BadController\.noInject takes 1 parameter\(s\) but is not marked @inject\(\)/);
  });

  test("an interface-typed parameter", async () => {
    assert.match(await bootError(Route.get("/x", [BadController, "interfaceTyped"])), /Parameter 1 of BadController\.interfaceTyped has type Object/);
  });

  test("more primitive parameters than the route has", async () => {
    assert.match(await bootError(Route.get("/x/@a", [BadController, "tooManyParams"])), /BadController\.tooManyParams asks for 2 route parameter\(s\)/);
  });

  test("a method that does not exist", async () => {
    // @ts-expect-error a misspelt action does not compile; a route built around the types still stops start-up
    assert.match(await bootError(Route.get("/x", [BadController, "nope"])), /BadController\.nope does not exist/);
  });

  test("a route-level mistake names the route's method, path and the file and line that declared it", async () => {
    // @ts-expect-error the compiler refuses it too; start-up still names the route for code that gets past it
    const missing = Route.get("/posts/create", [BadController, "crate"]);
    const line = missing.definedAt?.split(":").at(-1);
    assert.match(line ?? "", /^\d+$/, "the route knows the line that declared it");
    assert.match(await bootError(missing), new RegExp(`^Route GET /posts/create \\(tests/kernel\\.test\\.ts:${line}\\): BadController\\.crate does not exist`));
    const grouped = Route.group([Route.get("/x/@a", [BadController, "tooManyParams"])], { prefix: "/admin" })[0]!;
    assert.match(await bootError(grouped), /^Route GET \/admin\/x\/@a \(tests\/kernel\.test\.ts:\d+\): BadController\.tooManyParams asks for 2 route parameter\(s\) but the route has 1/);
    assert.match(await bootError(Route.get("/x", [TaggedController, "show"]).middleware("nope")), /^Route GET \/x \(tests\/kernel\.test\.ts:\d+\) uses middleware "nope"/);
    const kernel = { ...testKernel(), routes: [Route.get("/hungry", [TaggedController, "show"]).middleware("hungry")], routeMiddleware: { hungry: RequestHungryMiddleware } };
    await assert.rejects(Application.create(kernel), /^ConfigurationError: Route GET \/hungry \(tests\/kernel\.test\.ts:\d+\): Middleware RequestHungryMiddleware cannot be built/);
  });

  test("a middleware whose constructor asks for the request", async () => {
    const kernel = { ...testKernel(), routes: [Route.get("/x", [TaggedController, "show"]).middleware("hungry")], routeMiddleware: { hungry: RequestHungryMiddleware } };
    await assert.rejects(Application.create(kernel), /Middleware RequestHungryMiddleware cannot be built from the app container: .*from its context \(ctx\.request, ctx\.session\)/s);
  });

  test("a missing or short app key", async () => {
    const kernel = testKernel({ app: { KEY: "short" } });
    await assert.rejects(Application.create(kernel), /APP_KEY is missing or shorter than 32 bytes/);
  });

  test("debug on in production", async () => {
    const kernel = testKernel({ app: { ENV: "production", DEBUG: true } });
    await assert.rejects(Application.create(kernel), /APP_DEBUG is true while APP_ENV is production/);
  });

  test("an unknown session driver", async () => {
    const kernel = testKernel();
    kernel.config.session.DRIVERS.default = "memcached";
    await assert.rejects(Application.create(kernel), /"memcached" is not a session driver .*the drivers are cookie, redis, file, memory/);
  });

  test("SessionMiddleware in a group without SessionProvider stops start-up naming the provider", async () => {
    const kernel = testKernel();
    kernel.providers = kernel.providers!.filter((provider) => provider !== SessionProvider);
    await assert.rejects(Application.create(kernel), /SessionMiddleware is installed by SessionProvider, which the Kernel does not list: add SessionProvider to providers in app\/Kernel\.ts/);
  });

  test("an app without SessionProvider serves without sessions and needs no APP_KEY", async () => {
    const base = testKernel({ app: { KEY: "" } });
    const kernel = {
      ...base,
      providers: base.providers!.filter((provider) => provider !== SessionProvider),
      middlewareGroups: { web: [] },
      routes: base.routes.filter((route) => route.path === "/users/@id"),
    };
    const app = await Application.create(kernel);
    try {
      const url = await app.listen(0);
      const response = await fetch(`${url}/users/7`);
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(response.headers.getSetCookie(), []);
    } finally {
      await app.close();
    }
  });

  test("a Redis that is not there", async () => {
    const kernel = testKernel({ driver: "redis", redisUrl: "redis://127.0.0.1:1" });
    await assert.rejects(Application.create(kernel), (error: Error) => {
      // The server named (never the URL, which may hold a password), the cause, and the fix after one period.
      assert.match(error.message, /^The redis session driver cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\): [^\n]*[^.]\. Start Redis, /);
      assert.doesNotMatch(error.message, /\.\./);
      return true;
    });
  });
});

test("a middleware is built once per app and reads each request's own objects from its context", async () => {
  const kernel = { ...testKernel(), routes: [Route.get("/tagged", [TaggedController, "show"]).middleware("tag")], routeMiddleware: { tag: TaggingMiddleware } };
  const app = await TestClient.start(kernel);
  try {
    const answers = await Promise.all(["a", "b", "c"].map((tag) => app.get(`/tagged?tag=${tag}`)));
    assert.deepEqual(answers.map((answer) => answer.assertOk().header("x-tag")), ["a", "b", "c"]);
    assert.equal(TaggingMiddleware.built, 1);
  } finally {
    await app.close();
  }
});

test("app code imports the framework only through masonite/<module>", () => {
  const root = path.resolve(__dirname, "..");
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const file = path.join(dir, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (file.endsWith(".ts") && /from\s+["'][^"']*framework\/|masonite\/src/.test(readFileSync(file, "utf8"))) offenders.push(file);
    }
  };
  for (const dir of ["app", "config", "routes", "tests"]) walk(path.join(root, dir));
  assert.deepEqual(offenders, []);
});
