/**
 * Masonite's service providers: `register` binds services into the root container,
 * `boot` runs once everything is registered, `shutdown` releases what boot opened.
 * `App` is what the provider uses of the application (the Application itself for an app's
 * providers; a plug-in's provider names only the parts it needs, so it depends on no kernel).
 */
export abstract class Provider<App = unknown> {
  register(_app: App): void | Promise<void> {}
  boot(_app: App): void | Promise<void> {}
  shutdown(_app: App): void | Promise<void> {}
}

export type ProviderClass<App = unknown> = new () => Provider<App>;
