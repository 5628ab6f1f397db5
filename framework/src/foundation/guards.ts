import type { Context, Next } from "koa";

/**
 * Once the app is shutting down, every response closes its connection, so keep-alive
 * clients cannot hold the server open past the requests already in flight.
 */
export function closeConnectionsWhen(closing: () => boolean) {
  return async function closeConnectionsWhenStopping(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } finally {
      if (closing() && !ctx.headerSent) ctx.set("Connection", "close");
    }
  };
}
