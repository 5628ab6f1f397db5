import nunjucks from "nunjucks";
import type { Context } from "koa";

/** Supplies per-request template globals (`session()`, `errors`, `url()` ...) for one render. */
export type ViewComposer = (ctx: Context) => Record<string, unknown>;

export interface ViewOptions {
  /** Template folders, searched in order (`resources/templates` first). */
  templates: string[];
  /** Re-read templates on every render: on in development, off in production. */
  watch: boolean;
}

/** Masonite's dot notation: `"auth.login"` -> `auth/login.html`. */
export function templatePath(name: string): string {
  return name.endsWith(".html") ? name : `${name.replace(/\./g, "/")}.html`;
}

/**
 * The app's one Nunjucks environment (autoescape on, compiled templates cached outside
 * development) and the registry of template globals. Static values go into Nunjucks
 * globals once; per-request values come from composers at render time.
 */
export class ViewFactory {
  readonly environment: nunjucks.Environment;
  #composers: ViewComposer[] = [];

  constructor(options: ViewOptions) {
    const loader = new nunjucks.FileSystemLoader(options.templates, { noCache: options.watch });
    this.environment = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false });
  }

  /** Adds a value or function visible in every template. */
  share(name: string, value: unknown): void {
    this.environment.addGlobal(name, value);
  }

  /** Marks HTML that templates print as it is, unescaped (a hidden field the framework builds, say). */
  safe(html: string): unknown {
    return new nunjucks.runtime.SafeString(html);
  }

  /** Adds globals computed per request (the request's session, its errors ...). */
  composer(composer: ViewComposer): void {
    this.#composers.push(composer);
  }

  exists(name: string): boolean {
    try {
      this.environment.getTemplate(templatePath(name));
      return true;
    } catch {
      return false;
    }
  }

  render(name: string, context: Record<string, unknown>, ctx: Context): string {
    const globals: Record<string, unknown> = {};
    for (const composer of this.#composers) Object.assign(globals, composer(ctx));
    return this.environment.render(templatePath(name), { ...globals, ...context });
  }
}
