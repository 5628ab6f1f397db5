import type { Context } from "koa";
import type { DependencyContainer } from "tsyringe";
import { RequestScope, type ContextValues } from "../container/RequestScope";
import { Response } from "../response";
import type { RouteDefinition } from "../routes/Route";
import type { RouteTable } from "../routes/RouteTable";
import { parseCookies } from "./cookies";
import { Request } from "./Request";
import type { UploadedFile } from "./uploads";

declare module "koa" {
  interface DefaultContext {
    /** This request's HttpContext, made by the app's request pipeline. */
    http: HttpContext;
  }
}

/** What every request of one app shares: made once, by the Application. Plug-ins add theirs by declaration merging (views adds `views`). */
export interface HttpApp {
  readonly routes: RouteTable;
  readonly container: DependencyContainer;
  /** Controller parameters read from the context by type: Request, Response, View, and what plug-ins list (`app.contextValue`). */
  readonly contextValues: ContextValues<HttpContext>;
}

/** What reads a body its route waits for (BodyReader). */
export interface BodyRead {
  read(ctx: HttpContext): Promise<void>;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const NO_UPLOADS: readonly UploadedFile[] = Object.freeze([]);

/**
 * One request: made once, by the app's request pipeline, and handed to route middleware
 * (`handle(ctx, next)`). Everything the framework knows about the request is a field here;
 * what costs something (the cookies, the Request and Response objects, the request's
 * RequestScope) is made on first use only. Plug-ins add fields by declaration merging:
 * sessions declares `session` and SessionMiddleware sets it.
 */
export class HttpContext {
  /** Koa's context: headers, status, body, the raw request and response. */
  readonly koa: Context;
  readonly app: HttpApp;
  /** The app's named routes. */
  readonly routes: RouteTable;
  /** The request's method and path (without the query string, not decoded), read once from Koa: its getters re-parse on every read. */
  readonly method: string;
  readonly path: string;
  /** The route that matched; set by its handler before the route's middleware run. */
  route: RouteDefinition | undefined = undefined;
  /** The matched route's parameters as the URL spelled them. */
  params: Readonly<Record<string, string>> = NO_PARAMS;
  /** Set by the matched route: its group answers errors in JSON. Undefined before routing, where the path's prefix decides. */
  jsonErrors: boolean | undefined = undefined;
  /**
   * The parsed body, cleaned once (no prototype-polluting keys; null-prototype objects): an
   * object or array for JSON, an object for form and multipart bodies, `{}` for other types,
   * undefined while unread (GET, or a multipart body still waiting for its route).
   */
  body: unknown = undefined;
  /** The files of a multipart body, in the order they were sent. */
  uploads: readonly UploadedFile[] = NO_UPLOADS;
  #pending: BodyRead | undefined = undefined;
  #reading: Promise<void> | undefined = undefined;
  #cookies: ReadonlyMap<string, string> | undefined = undefined;
  #scope: RequestScope<HttpContext> | undefined = undefined;
  #request: Request | undefined = undefined;
  #response: Response | undefined = undefined;

  constructor(koa: Context, app: HttpApp) {
    this.koa = koa;
    this.app = app;
    this.routes = app.routes;
    this.method = koa.method;
    this.path = koa.path;
  }

  /** A logged context shows the request as Koa sums it up, not the app, its container and its routes. */
  toJSON(): unknown {
    return this.koa.toJSON();
  }

  /** The request's cookies, from its Cookie header, parsed on first use. */
  get cookies(): ReadonlyMap<string, string> {
    return (this.#cookies ??= parseCookies(this.koa.get("Cookie")));
  }

  /** The request's services: controllers and their dependencies are resolved here. Made on first use. */
  get scope(): RequestScope<HttpContext> {
    return (this.#scope ??= new RequestScope<HttpContext>(this, this.app.container, this.app.contextValues));
  }

  get request(): Request {
    return (this.#request ??= new Request(this));
  }

  get response(): Response {
    return (this.#response ??= new Response(this.koa, this.routes));
  }

  /** The URL of a named route of this app: `ctx.urlFor("users.show", { id: 3 })`. */
  urlFor(name: string, params?: Record<string, string | number>): string {
    return this.routes.url(name, params);
  }

  /** Whether the body waits to be read: a multipart body, until its route's middleware have run or one of them reads it. */
  get bodyPending(): boolean {
    return this.#pending !== undefined && this.#reading === undefined;
  }

  /**
   * Reads the body if it still waits to be read, at most once; resolves at once when none
   * waits. The route runs it after its middleware, so a request refused there (a CSRF check on
   * a header-borne token, a missing login) writes no upload to disk; middleware that needs a
   * multipart form's fields earlier awaits it.
   */
  readBody(): Promise<void> {
    if (!this.#pending) return Promise.resolve();
    return (this.#reading ??= this.#pending.read(this));
  }

  /** Leaves the body for readBody() (BodyReader does, for a multipart body). */
  waitForBody(reader: BodyRead): void {
    this.#pending = reader;
  }
}
