import { Provider, type Application } from "masonite/foundation";

/** Register app-wide services here: `app.container.registerSingleton(Mailer)` and the like. */
export class AppProvider extends Provider {
  override register(_app: Application): void {}
}
