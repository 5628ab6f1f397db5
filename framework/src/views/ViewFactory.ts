import { readFileSync } from "node:fs";
import nunjucks from "nunjucks";
import { FrameworkError } from "../core/errors";
import type { HttpContext } from "../request/HttpContext";
import { displayPath } from "../core/paths";
import { excerpt, explainMistake } from "./templateMistakes";
import { templateLocation, traceTemplates } from "./templateTracing";

/** A template's mistake, with the lines around it for the development error page. */
export class TemplateMistake extends FrameworkError {
  readonly file: string;
  readonly line: number | undefined;
  /** The numbered source lines around `line` (none when it is unknown). */
  readonly excerpt: { line: number; text: string }[];

  constructor(code: string, message: string, options: { cause: unknown; file: string; line?: number; excerpt: { line: number; text: string }[] }) {
    super(code, message, { cause: options.cause });
    this.file = options.file;
    this.line = options.line;
    this.excerpt = options.excerpt;
  }
}

/** Supplies per-request template globals (`session()`, `errors`, `url()` ...) for one render. */
export type ViewComposer = (ctx: HttpContext) => Record<string, unknown>;

export interface ViewOptions {
  /** Template folders, searched in order (`resources/templates` first). */
  templates: string[];
  /** Re-read templates on every render: on in development, off in production. */
  watch: boolean;
  /** Development: told of each undefined value a template prints (template, line, name), which renders as empty. */
  warn?: (message: string) => void;
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
  readonly #loader: nunjucks.FileSystemLoader;
  readonly #folders: string[];

  constructor(options: ViewOptions) {
    this.#loader = new nunjucks.FileSystemLoader(options.templates, { noCache: options.watch });
    this.#folders = options.templates;
    this.environment = new nunjucks.Environment(this.#loader, { autoescape: true, throwOnUndefined: false });
    traceTemplates(this.environment, options.warn);
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

  /** `requestedBy` (`PostController.create`) is named when the template is missing. */
  render(name: string, context: Record<string, unknown>, ctx: HttpContext, requestedBy?: string): string {
    const globals: Record<string, unknown> = {};
    for (const composer of this.#composers) Object.assign(globals, composer(ctx));
    try {
      return this.environment.render(templatePath(name), { ...globals, ...context });
    } catch (error) {
      throw this.#explain(error, name, requestedBy);
    }
  }

  /** A render failure as the developer needs it: the template file and line of the mistake and its fix, or where a missing template was looked for. */
  #explain(error: unknown, name: string, requestedBy: string | undefined): unknown {
    const location = templateLocation(error);
    if (location) {
      let source: string | undefined;
      try {
        source = readFileSync(location.path, "utf8");
      } catch {
        // Gone since it was compiled: explained from Nunjucks's words alone.
      }
      const mistake = explainMistake(location, source);
      const where = mistake.line ? ` line ${mistake.line}${mistake.column ? `, column ${mistake.column}` : ""}` : "";
      return new TemplateMistake(mistake.code, `Template ${location.file}${where} (rendering "${name}"): ${mistake.problem}: ${mistake.fix}.`, {
        cause: error,
        file: location.file,
        line: mistake.line,
        excerpt: source !== undefined && mistake.line ? excerpt(source, mistake.line) : [],
      });
    }
    const file = templatePath(name);
    if (this.#loader.getSource(file) === null) {
      const folders = this.#folders.map(displayPath).join(", ");
      return new FrameworkError("E_TEMPLATE_NOT_FOUND", `Template "${name}" (${file})${requestedBy ? `, rendered by ${requestedBy},` : ""} is in none of the template folders ${folders}: create it in one of them or fix the name given to view.render().`, { cause: error });
    }
    return error;
  }
}
