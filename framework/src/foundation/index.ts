export { Application, type Kernel } from "./Application";
export type { MiddlewareGroup, MiddlewareGroups } from "./routing";
export type { AppConfig, AppSettings, SecuritySettings } from "./config";
export { DEFAULT_SERVER, serverSettings, type ServerSettings } from "./server";
// The leaf's names too, so an app can keep importing everything of the framework's core from here.
export * from "../core";
