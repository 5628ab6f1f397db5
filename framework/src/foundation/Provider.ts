import type { Application } from "./Application";

/**
 * Masonite's service providers: `register` binds services into the root container,
 * `boot` runs once everything is registered, `shutdown` releases what boot opened.
 */
export abstract class Provider {
  register(_app: Application): void | Promise<void> {}
  boot(_app: Application): void | Promise<void> {}
  shutdown(_app: Application): void | Promise<void> {}
}

export type ProviderClass = new () => Provider;
