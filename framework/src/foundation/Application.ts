import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Router from "@koa/router";
import Koa from "koa";
import type { DependencyContainer, InjectionToken } from "tsyringe";
import { createRootContainer } from "../container";
import type { ContextValue } from "../container/RequestScope";
import type { Middleware, MiddlewareClass } from "../middleware";
import type { RouteDefinition } from "../routes/Route";
import { RouteTable } from "../routes/RouteTable";
import { securityHeaderDefaults, securityHeaders } from "../security/headers";
import { Request } from "../request";
import { BodyReader } from "../request/body";
import { HttpContext, type HttpApp } from "../request/HttpContext";
import { Response } from "../response";
import { View } from "../views/View";
import { ViewFactory } from "../views/ViewFactory";
import type { AppConfig } from "./config";
import { environment } from "../core/environment";
import { proxyHops } from "../core/proxy";
import { ConfigurationError } from "../core/errors";
import { createServer, serverSettings, type ServerSettings } from "./server";
import { errorPages } from "./errorPages";
import { readBody } from "./readBody";
import { dispatchRoutes } from "./routeDispatch";
import { requestPipeline } from "./pipeline";
import { logRequests } from "./requestLog";
import { routeHandler } from "./routeHandler";
import { staticFiles } from "./staticFiles";
import { inRoute, jsonErrorsForPath, routePipeline, type MiddlewareGroups } from "./routing";
import { logDefaults, Logger, type LogSettings } from "../core/logger";
import type { Provider, ProviderClass } from "../core/Provider";

/** What the app hands the framework: the whole of its wiring, in `app/Kernel.ts`. */
export interface Kernel {
  /** The app's folder: templates, static files and `.env` are found from here. */
  root: string;
  config: AppConfig;
  /** Every route, each inside the `Route.group` that names its middleware group: `Route.group(WEB, { middleware: ["web"] })`. */
  routes: RouteDefinition[];
  providers?: ProviderClass<Application>[];
  /** Middleware groups by name; a route runs those its `Route.group`s name, outer first, then its own named middleware. */
  middlewareGroups: MiddlewareGroups;
  /** Named route middleware for `.middleware("name")`. */
  routeMiddleware?: Record<string, MiddlewareClass>;
  /** More template folders, searched after `resources/templates` (a package's or a test's views). */
  templates?: string[];
}

/**
 * Builds one running app from a Kernel: configuration checked, services in the root
 * container, providers booted, and the Koa pipeline assembled. The request path is
 * (the request log, when on) -> requestPipeline: the request's HttpContext, the security headers,
 * static files, the body, the route (exact paths by table, others by the router's match) -> the
 * route's group and route middleware -> controller; failures become error pages there; then the router's allowedMethods.
 */
export class Application {
  readonly kernel: Kernel;
  readonly container: DependencyContainer;
  readonly logger: Logger;
  readonly views: ViewFactory;
  readonly koa: Koa;
  readonly routes: RouteTable;
  #providers: Provider<Application>[];
  /** What every request's HttpContext shares, with the table of context values. */
  readonly #http: HttpApp;
  readonly #contextValues = new Map<InjectionToken<unknown>, ContextValue<HttpContext>>([
    [HttpContext, (ctx) => ctx],
    [Request, (ctx) => ctx.request],
    [Response, (ctx) => ctx.response],
    [View, (ctx) => ctx.view],
  ]);
  #server: Server | undefined;
  #body: BodyReader | undefined;
  #closing = false;
  /** Development re-reads templates and the public folder on each request. */
  readonly #watch: boolean;
  readonly #securityHeaders: (ctx: Koa.Context) => void;
  readonly #logging: LogSettings;
  readonly #serverSettings: ServerSettings;

  private constructor(kernel: Kernel) {
    this.kernel = kernel;
    const { app } = kernel.config;
    const env = environment(app.ENV);
    this.#logging = { ...logDefaults(env), ...kernel.config.logging };
    this.logger = new Logger(this.#logging);
    this.container = createRootContainer();
    this.container.registerInstance(Logger, this.logger);
    this.#watch = env === "development";
    if (env === "production" && app.DEBUG) {
      throw new ConfigurationError("E_DEBUG_IN_PRODUCTION", "APP_DEBUG is true while APP_ENV is production: debug pages would show stack traces to visitors. Set APP_DEBUG=false.");
    }
    this.#serverSettings = serverSettings(app.SERVER);
    this.#securityHeaders = securityHeaders(kernel.config.security?.HEADERS ?? securityHeaderDefaults(app.URL));
    this.views = new ViewFactory({
      templates: [path.join(kernel.root, "resources", "templates"), ...(kernel.templates ?? [])],
      watch: this.#watch,
      warn: this.#watch ? (message) => this.logger.warn(message) : undefined,
    });
    this.routes = new RouteTable(kernel.routes);
    this.container.registerInstance(RouteTable, this.routes);
    this.#http = { routes: this.routes, container: this.container, contextValues: this.#contextValues, views: this.views };
    // Links to this app's named routes: `{{ url("users.show", { id: 3 }) }}`.
    this.views.share("url", (name: string, params?: Record<string, string | number>) => this.routes.url(name, params));
    this.views.share("config", { name: app.NAME, env, url: app.URL });
    this.views.composer((ctx) => ({ request: () => ctx.request }));
    this.#providers = (kernel.providers ?? []).map((Type) => new Type());
    // Koa then reads the client's IP that many entries from the right of X-Forwarded-For.
    const hops = proxyHops(app.TRUST_PROXY);
    this.koa = new Koa({ proxy: hops > 0, maxIpsCount: hops });
    this.koa.silent = true;
  }

  /**
   * Lists a type that controller parameters (and the constructors the request's scope builds)
   * read from the request's context: `app.contextValue(Session, (ctx) => ctx.session)`. `read`
   * returning undefined is an error naming the type, so a controller is never handed undefined;
   * a plug-in throws its own coded error instead when it can name the fix. Providers call it in register().
   */
  contextValue(type: InjectionToken<unknown>, read: ContextValue<HttpContext>): void {
    if (this.#contextValues.has(type)) {
      throw new ConfigurationError("E_DUPLICATE_CONTEXT_VALUE", `${typeof type === "function" ? type.name : String(type)} is already read from the request's context: two providers list it; keep one of them in app/Kernel.ts.`);
    }
    this.#contextValues.set(type, read);
  }

  /** Checks the configuration and runs the providers (register, then boot). */
  static async create(kernel: Kernel): Promise<Application> {
    const application = new Application(kernel);
    await application.#boot();
    return application;
  }

  async #boot(): Promise<void> {
    const { app } = this.kernel.config;
    for (const provider of this.#providers) await provider.register(this);
    for (const provider of this.#providers) await provider.boot(this);

    const router = new Router();
    const built = new Map<MiddlewareClass, Middleware>();
    const build = (type: MiddlewareClass): Middleware => {
      let instance = built.get(type);
      if (!instance) {
        try {
          instance = this.container.resolve(type);
        } catch (error) {
          // A plug-in's middleware names the provider that installs it.
          const provider = (type as { provider?: string }).provider;
          throw new ConfigurationError(
            "E_UNRESOLVABLE_MIDDLEWARE",
            provider
              ? `Middleware ${type.name} is installed by ${provider}, which the Kernel does not list: add ${provider} to providers in app/Kernel.ts, or take ${type.name} out of its middleware group.`
              : `Middleware ${type.name} cannot be built from the app container: ${(error as Error).message}. Middleware are made once, at start-up, so their constructors take app services only; read the request's own objects in handle() from its context (ctx.request, ctx.session).`,
            error,
          );
        }
        built.set(type, instance);
      }
      return instance;
    };
    const { middlewareGroups, routeMiddleware } = this.kernel;
    for (const route of this.routes.routes) {
      const pipeline = routePipeline(route, middlewareGroups, routeMiddleware);
      let handler: ReturnType<typeof routeHandler>;
      try {
        handler = routeHandler(route, this.container, pipeline.middleware.map(build), pipeline.jsonErrors);
      } catch (error) {
        throw inRoute(route, error);
      }
      router.register(route.routerPath, [route.method], handler, { name: route.routeName });
    }
    const body = (this.#body = new BodyReader({ limit: app.BODY_LIMIT ?? "1mb", input: app.INPUT_LIMITS, uploads: app.UPLOADS }));
    if (this.#logging.REQUESTS) this.koa.use(logRequests(this.logger));
    const jsonErrors = jsonErrorsForPath(this.routes.routes, middlewareGroups);
    this.koa.use(
      requestPipeline({
        app: this.#http,
        headers: this.#securityHeaders,
        errors: errorPages(this.views, this.logger, { debug: app.DEBUG, headers: this.#securityHeaders, jsonErrors, routes: this.routes.routes }),
        statics: staticFiles(path.join(this.kernel.root, "storage", "public"), { watch: this.#watch }),
        readBody: readBody(body),
        route: dispatchRoutes(router),
        closing: () => this.#closing,
      }),
    );
    // Not thrown: the router then sets Allow, which it leaves out of the error it would throw.
    this.koa.use(router.allowedMethods());
  }

  /** The Node request listener, for tests or a custom server. */
  callback(): ReturnType<Koa["callback"]> {
    return this.koa.callback();
  }

  /** Listens, with the SERVER timeouts and connection cap, and resolves with the URL once the port is bound (port 0 picks a free one). */
  async listen(port: number, host = "127.0.0.1"): Promise<string> {
    const server = createServer(this.koa.callback(), this.#serverSettings).listen(port, host);
    this.#server = server;
    await once(server, "listening");
    const address = server.address() as AddressInfo;
    return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  }

  /**
   * Stops accepting, lets in-flight requests finish (their responses close their keep-alive
   * connections), then releases the session store.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    if (server) {
      const closed = once(server, "close");
      server.close();
      server.closeIdleConnections();
      await closed;
    }
    this.#body?.close();
    for (const provider of this.#providers) await provider.shutdown(this);
  }
}
