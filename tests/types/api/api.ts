// The public API's types: what a newcomer writes compiles, each `@ts-expect-error` line must not.
import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import type { TestClient, TestResponse } from "masonite/testing";
import { exactly } from "../equal";

declare const request: Request;
declare const response: Response;
declare const client: TestClient;

// Request input: a fallback types the result by its kind, not as the literal it is.
const password = request.input("password", "");
exactly<typeof password, string>(true);
if (password !== "secret") void password; // compiled to an error when password was typed ""
const page = request.input("page", 1);
exactly<typeof page, number>(true);
const remember = request.input("remember", false);
exactly<typeof remember, boolean>(true);
const named = request.input<string[]>("tags", []);
exactly<typeof named, string[]>(true);
exactly<ReturnType<typeof request.input>, unknown>(true);

// Route: the action names a method of the controller.
class PostController extends Controller {
  @inject()
  show(request: Request) {
    return { id: request.param("id") };
  }
  create() {
    return "new";
  }
}
Route.get("/posts/@id", [PostController, "show"]).name("posts.show");
Route.post("/posts", [PostController, "create"]).middleware("auth");
// @ts-expect-error "crate" is not a method of PostController
Route.get("/posts/new", [PostController, "crate"]);
// @ts-expect-error a route's action is a [Controller, "method"] pair
Route.get("/posts", PostController);
Route.group([Route.get("/", [PostController, "create"])], { prefix: "/admin", middleware: ["web"], name: "admin." });
// @ts-expect-error group options are prefix, middleware and name
Route.group([], { prefx: "/admin" });

// @inject() takes nothing: services come by the parameters' types.
// @ts-expect-error inject() takes no token
inject("Request");

// Response helpers chain and stay a Response.
const built: Response = response.back().withErrors({ email: ["Wrong"] }).withInput().withSuccess("Saved");
void built;
response.redirect().route("posts.show", { id: 3 });
response.json({ ok: true }, 201);
// @ts-expect-error a status is a number
response.json({ ok: true }, "201");

// TestClient: requests give TestResponses whose assertions chain.
async function usesTheClient(): Promise<void> {
  const sent: TestResponse = await client.post("/posts", { title: "Hi" }, { json: true });
  sent.assertStatus(201).assertSessionMissing("errors");
  // @ts-expect-error a status is a number
  sent.assertStatus("201");
  // @ts-expect-error request options are headers, json and csrf
  await client.get("/", { header: {} });
}
void usesTheClient;
