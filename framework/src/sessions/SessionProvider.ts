import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { ContextValue } from "../container/RequestScope";
import type { HttpContext } from "../request/HttpContext";
import { environment } from "../core/environment";
import { ConfigurationError } from "../core/errors";
import type { Logger } from "../core/logger";
import { Provider } from "../core/Provider";
import type { SessionConfig } from "./config";
import { requireSession } from "./context";
import { createSessionManager } from "./createSessionManager";
import "./flashing";
import { sessionGlobals } from "./globals";
import { Session } from "./Session";
import { SessionManager } from "./SessionManager";
import { SessionMiddleware } from "./SessionMiddleware";
import { SessionRegistry } from "./SessionRegistry";

/** What SessionProvider uses of the application; the Application has it all. */
export interface SessionHost {
  readonly kernel: { root: string; config: { app: { ENV: string; KEY: string; PREVIOUS_KEYS?: readonly string[]; URL: string }; session?: unknown } };
  readonly container: DependencyContainer;
  readonly views: { composer(composer: (ctx: HttpContext) => Record<string, unknown>): void; safe(html: string): unknown };
  readonly logger: Logger;
  /** Lists a type that controller parameters read from the request's context. */
  contextValue(type: InjectionToken<unknown>, read: ContextValue<HttpContext>): void;
}

/**
 * Installs sessions: builds the store config/session.ts chooses, makes SessionMiddleware
 * (and the SessionManager and SessionRegistry) resolvable, hands controllers that ask for a
 * Session the request's `ctx.session`, connects the store at boot and closes it at shutdown,
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
    // A controller's Session parameter is the session SessionMiddleware set on the request's context.
    app.contextValue(Session, requireSession);
  }

  override async boot(app: SessionHost): Promise<void> {
    await this.#manager!.connect();
    app.views.composer((ctx) => sessionGlobals(ctx, (html) => app.views.safe(html)));
  }

  override async shutdown(): Promise<void> {
    await this.#manager?.close();
  }
}
