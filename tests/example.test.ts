// Example tests for your app, written with masonite/testing: the real app on a free port,
// a browser-like cookie jar, forms sent with the CSRF token, and Masonite's assertions.
// Run them with `npm test`; `craft test Name` adds another file like this one.
import "./support/env";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TestClient } from "masonite/testing";
import { kernel } from "../app/Kernel";

let app: TestClient;

before(async () => {
  app = await TestClient.start(kernel);
});
after(() => app.close());

describe("welcome page", () => {
  test("greets the visitor and counts visits in the session", async () => {
    const visitor = app.visitor();
    (await visitor.get("/")).assertOk().assertSee("Hello, world!").assertSessionHas("visits", 1);
    (await visitor.get("/?name=Ada")).assertSee("Hello, Ada!").assertSessionHas("visits", 2);
  });

  test("withSession starts a request with data already in the session", async () => {
    const response = await app.visitor().withSession({ visits: 41 }).get("/");
    response.assertOk().assertSessionHas("visits", 42);
  });
});

describe("contact form", () => {
  const form = { name: "Ada", email: "ada@example.com", password: "correct horse" };
  const fromContactPage = { headers: { referer: "/contact" } };

  test("invalid input redirects back with errors and the old input", async () => {
    const visitor = app.visitor();
    const response = await visitor.post("/contact", { ...form, email: "not-an-email" }, fromContactPage);
    response.assertRedirect("/contact").assertHasErrors("email").assertFlashed("errors").assertSessionMissing("success");
    const page = await visitor.get("/contact");
    page.assertOk().assertSee("That email does not look right").assertSee("not-an-email");
  });

  test("valid input flashes a success message for exactly one page", async () => {
    const visitor = app.visitor();
    const response = await visitor.post("/contact", form, fromContactPage);
    response.assertRedirect("/contact").assertFlashed("success").assertSessionHas("success", "Thanks, Ada!");
    (await visitor.get("/contact")).assertSee("Thanks, Ada!");
    (await visitor.get("/contact")).assertDontSee("Thanks, Ada!").assertSessionMissing("success");
  });

  test("a form without the CSRF token is refused", async () => {
    (await app.visitor().post("/contact", form, { csrf: false })).assertStatus(419);
  });
});

describe("JSON API (routes/api.ts)", () => {
  test("a JSON post needs no session or CSRF token and sets no cookie", async () => {
    const response = await app.visitor().post("/api/echo", { name: "Ada" }, { json: true, csrf: false });
    response.assertStatus(201);
    assert.deepEqual(response.json(), { received: { name: "Ada" } });
    assert.equal(response.header("set-cookie"), null);
  });

  test("errors are JSON, even for an unknown path", async () => {
    const response = await app.get("/api/nope");
    response.assertStatus(404);
    assert.equal(response.json<{ error: { status: number } }>().error.status, 404);
  });
});
