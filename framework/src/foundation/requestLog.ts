import type { Context, Next } from "koa";
import type { Logger } from "../core/logger";

/**
 * One line per request once its answer is settled, in the outermost middleware: method, path
 * (never the query string, which can carry a reset token or a signed link), status and duration.
 */
export function logRequests(logger: Logger) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const { method, path, status } = ctx;
      logger.info(`${method} ${path} ${status} ${ms} ms`, { request: { method, path, status, ms } });
    }
  };
}
