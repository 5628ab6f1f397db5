import type { Context } from "koa";
import type { DependencyContainer } from "tsyringe";
import { environment } from "../core/environment";
import { ConfigurationError } from "../core/errors";
import type { Logger } from "../core/logger";
import { Provider } from "../core/Provider";
import { createSessionManager, type SessionConfig } from "./config";
import { sessionGlobals } from "./globals";
import { SessionManager } from "./SessionManager";
import { SessionMiddleware } from "./SessionMiddleware";
import { SessionRegistry } from "./SessionRegistry";

/** What SessionProvider uses of the application; the Application has it all. */
export interface SessionHost {
  readonly kernel: { root: string; config: { app: { ENV: string; KEY: string; PREVIOUS_KEYS?: readonly string[]; URL: string }; session?: unknown } };
  readonly container: DependencyContainer;
  readonly views: { composer(composer: (ctx: Context) => Record<string, unknown>): void; safe(html: string): unknown };
  readonly logger: Logger;
}

/**
 * Installs sessions: builds the store config/session.ts chooses, makes SessionMiddleware
 * (and the SessionManager and SessionRegistry) resolvable, connects the store at boot and closes it at shutdown,
 * and gives templates `session()`, `errors`, `old()`, `csrf_token()` and `csrf_field()`.
 */
export class SessionProvider extends Provider<SessionHost> {
  #manager: SessionManager | undefined;

  override async register(app: SessionHost): Promise<void> {
    const { app: settings, session } = app.kernel.config;
    if (!session || typeof session !== "object" || !("DRIVERS" in session)) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", "SessionProvider is installed but the Kernel's config has no session block: add `session` (import * as session from \"../config/session\") to config in app/Kernel.ts.");
    }
    this.#manager = await createSessionManager(session as SessionConfig, {
      key: settings.KEY,
      previousKeys: settings.PREVIOUS_KEYS ?? [],
      appUrl: settings.URL,
      environment: environment(settings.ENV),
      root: app.kernel.root,
      logger: app.logger,
    });
    app.container.registerInstance(SessionManager, this.#manager);
    app.container.registerInstance(SessionMiddleware, new SessionMiddleware(this.#manager));
    app.container.registerInstance(SessionRegistry, new SessionRegistry(this.#manager));
  }

  override async boot(app: SessionHost): Promise<void> {
    await this.#manager!.connect();
    app.views.composer((ctx) => sessionGlobals(ctx, (html) => app.views.safe(html)));
  }

  override async shutdown(): Promise<void> {
    await this.#manager?.close();
  }
}
