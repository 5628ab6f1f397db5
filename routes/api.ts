import { Route } from "masonite/routes";
import { StatusController } from "../app/controllers/api/StatusController";

/** Served under /api through the "api" middleware group (app/Kernel.ts): no session, no CSRF, errors as JSON. */
export const ROUTES = [
  Route.get("/status", [StatusController, "show"]).name("api.status"),
  Route.post("/echo", [StatusController, "echo"]).name("api.echo"),
];
