import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Context } from "koa";
import Youch from "youch";
import type { RouteDefinition } from "../routes/Route";
import { TemplateMistake } from "../views/ViewFactory";
import { escapeHtml } from "../core/html";

/** The framework's own sources: folded on the debug page like node_modules, wherever the package sits. */
const FRAMEWORK_SOURCES = path.resolve(__dirname, "..") + path.sep;

/**
 * Youch counts every file outside node_modules as the app's. The framework is a linked
 * folder in a checkout, so its frames count as third-party here too: the frame the page
 * opens on, with its source, is then the app's own.
 */
class AppFirstYouch extends Youch<Error, Context["req"]> {
  _isNodeModule(frame: { file?: string }): boolean {
    const file = frame.file ?? "";
    return file.startsWith(FRAMEWORK_SOURCES) || file.includes(`node_modules${path.sep}`);
  }
}

/** Long messages, paths and source lines wrap instead of running off the side of the page. */
const WRAPPING = ".error-message, #frame-code pre, #frame-code code { white-space: pre-wrap; } .error-message, #frame-file, .frame-row-filepath, #frame-code code { overflow-wrap: anywhere; }";

/**
 * The scripts and styles of a debug page run under the app's CSP through a nonce, added
 * to this one response's `script-src` and `style-src`; every other directive stays as the
 * app set it. An app that sends no CSP gets none here either.
 */
function allowNonce(ctx: Context): string {
  // Hex: a valid CSP nonce that no HTML escaping alters.
  const nonce = randomBytes(16).toString("hex");
  const policy = ctx.response.get("Content-Security-Policy");
  if (policy) {
    const directives = policy.split(";").map((directive) => directive.trim()).filter(Boolean);
    for (const name of ["script-src", "style-src"]) {
      const index = directives.findIndex((directive) => directive.split(/\s+/)[0] === name);
      if (index >= 0) directives[index] += ` 'nonce-${nonce}'`;
      else directives.push(`${name} 'nonce-${nonce}'`);
    }
    ctx.set("Content-Security-Policy", directives.join(";"));
  }
  return nonce;
}

/** The template's lines around its mistake, the mistake's line marked, above Youch's page (whose frames are the framework's, not the template's). */
function templateSource(error: TemplateMistake): string {
  const rows = error.excerpt
    .map(({ line, text }) => `<tr${line === error.line ? ' class="mistake"' : ""}><td>${line}</td><td>${escapeHtml(text)}</td></tr>`)
    .join("");
  return `<section id="template-source"><h2>${escapeHtml(error.file)}, line ${error.line}</h2><table>${rows}</table></section>`;
}

const TEMPLATE_SOURCE = "#template-source { margin: 1rem 2rem; font-family: ui-monospace, monospace; } #template-source table { border-collapse: collapse; width: 100%; } #template-source td { padding: 0 .75rem; white-space: pre-wrap; } #template-source td:first-child { text-align: right; color: #888; width: 3rem; } #template-source tr.mistake { background: #fde8e8; }";

/** The development page for a failure: the exception, the app's frame with its source, the rest folded; a template mistake's source on top. */
export async function exceptionPage(ctx: Context, error: unknown): Promise<string> {
  const nonce = allowNonce(ctx);
  const thrown = error instanceof Error ? error : new Error(String(error));
  const html = await new AppFirstYouch(thrown, ctx.req).toHTML({ cspNonce: nonce });
  const template = error instanceof TemplateMistake && error.excerpt.length ? templateSource(error) : "";
  return html
    .replace("</head>", `<style nonce="${nonce}">${WRAPPING}${template ? ` ${TEMPLATE_SOURCE}` : ""}</style></head>`)
    .replace(/<body[^>]*>/, (body) => body + template);
}


/** The development 404: what was asked, and every route the app has (method, path, name), in declaration order. */
export function routeListPage(ctx: Context, message: string, routes: readonly RouteDefinition[]): string {
  const nonce = allowNonce(ctx);
  const rows = routes
    .map((route) => `<tr><td>${route.method}</td><td>${escapeHtml(route.path)}</td><td>${escapeHtml(route.routeName ?? "")}</td></tr>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>404 · ${escapeHtml(ctx.method)} ${escapeHtml(ctx.path)}</title>`
    + `<style nonce="${nonce}">body { font-family: system-ui, sans-serif; margin: 2rem; } p { overflow-wrap: anywhere; } table { border-collapse: collapse; } th, td { text-align: left; padding: .25rem 1rem .25rem 0; font-family: ui-monospace, monospace; }</style></head>`
    + `<body><h1>404 · Page not found</h1><p>${escapeHtml(message)}</p>`
    + (routes.length ? `<h2>Routes</h2><table><thead><tr><th>Method</th><th>Path</th><th>Name</th></tr></thead><tbody>${rows}</tbody></table>` : "<p>The app defines no routes yet: add them to routes/web.ts or routes/api.ts.</p>")
    + "<p>This page shows because APP_DEBUG is true; visitors of a production app see the errors/404 template.</p></body></html>";
}
