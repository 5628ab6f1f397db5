import { baseName, camelCase, className } from "./names";
import { writeNewFile, type Generated } from "./writeNewFile";

function template(name: string): string {
  return `import type { Middleware, Next } from "masonite/middleware";
import type { HttpContext } from "masonite/request";

/** Route middleware: it runs around the controller of every route that names it. */
export class ${name} implements Middleware {
  async handle(ctx: HttpContext, next: Next): Promise<void> {
    // Before the controller: read ctx.request (ctx.session in the web group), or throw / redirect to stop the request here.
    await next();
    // After the controller: ctx.koa.status and ctx.koa.body hold the answer.
  }
}
`;
}

/** `craft middleware Auth`: app/middleware/AuthMiddleware.ts. */
export function makeMiddleware(root: string, raw: string, options: { force: boolean }): Generated {
  const name = className(raw, "Middleware", "Middleware");
  const key = camelCase(baseName(name, "Middleware"));
  const file = `app/middleware/${name}.ts`;
  const { replaced } = writeNewFile(root, file, template(name), options.force);
  return {
    file,
    replaced,
    hints: [
      `Register it in app/Kernel.ts: routeMiddleware: { ${key}: ${name} } (import it from "./middleware/${name}"),`,
      `then use it on a route: Route.get(...).middleware("${key}")`,
    ],
  };
}
