import type { Context } from "koa";
import { createRootContainer } from "masonite/container";
import { HttpContext, type HttpApp } from "masonite/request";
import { RouteTable } from "masonite/routes";
import { ViewFactory } from "masonite/views";

/** What an app shares with its requests, for a test that has no Application: no routes, no templates. */
export function testHttpApp(overrides: Partial<HttpApp> = {}): HttpApp {
  return { routes: new RouteTable([]), container: createRootContainer(), contextValues: new Map(), views: new ViewFactory({ templates: [], watch: false }), ...overrides };
}

/** A request's HttpContext around a Koa context, set on it as the app's request pipeline does. */
export function contextFor(koa: Context, app: HttpApp = testHttpApp()): HttpContext {
  koa.http = new HttpContext(koa, app);
  return koa.http;
}
