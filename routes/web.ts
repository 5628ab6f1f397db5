import { Route } from "masonite/routes";
import { ContactController } from "../app/controllers/ContactController";
import { WelcomeController } from "../app/controllers/WelcomeController";

export const ROUTES = [
  Route.get("/", [WelcomeController, "show"]).name("welcome"),
  Route.get("/users/@id", [WelcomeController, "user"]).name("users.show"),
  Route.get("/contact", [ContactController, "show"]).name("contact"),
  Route.post("/contact", [ContactController, "store"]).name("contact.store"),
];
