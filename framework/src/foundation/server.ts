import http from "node:http";
import { ConfigurationError } from "../core/errors";

/** How long a connection may take and how many there may be (`config/app.ts` SERVER), in milliseconds. */
export interface ServerSettings {
  /** The most a client may take to send a whole request, headers and body; past it the answer is a 408 and the connection closes. */
  requestTimeout: number;
  /** The most a client may take to send the request's headers; at most requestTimeout. */
  headersTimeout: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeout: number;
  /** Connections open at once; the ones past it are closed as they arrive. */
  maxConnections: number;
}

export const DEFAULT_SERVER: ServerSettings = { requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 5_000, maxConnections: 10_000 };

/** SERVER with its defaults, checked: a mistake stops start-up rather than leave a connection unbounded. */
export function serverSettings(given: Partial<ServerSettings> = {}): ServerSettings {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(DEFAULT_SERVER, key)) {
      throw new ConfigurationError("E_BAD_SERVER_SETTING", `SERVER in config/app.ts has "${key}", which is no server setting; use ${Object.keys(DEFAULT_SERVER).join(", ")}.`);
    }
  }
  const settings = { ...DEFAULT_SERVER, ...given };
  for (const [key, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigurationError("E_BAD_SERVER_SETTING", `SERVER.${key} in config/app.ts is ${JSON.stringify(value)}; write a whole number from 1 (milliseconds for a timeout), e.g. ${DEFAULT_SERVER[key as keyof ServerSettings]}.`);
    }
  }
  if (settings.headersTimeout > settings.requestTimeout) {
    throw new ConfigurationError("E_BAD_SERVER_SETTING", `SERVER.headersTimeout (${settings.headersTimeout}) is longer than SERVER.requestTimeout (${settings.requestTimeout}) in config/app.ts; the headers are part of the request, so make it at most ${settings.requestTimeout}.`);
  }
  return settings;
}

/** An HTTP server for `listener` with the SERVER limits applied. */
export function createServer(listener: http.RequestListener, settings: ServerSettings): http.Server {
  const server = http.createServer(
    {
      requestTimeout: settings.requestTimeout,
      headersTimeout: settings.headersTimeout,
      keepAliveTimeout: settings.keepAliveTimeout,
      // Node looks for requests past their timeouts only this often (30 s unless told): a quarter of the
      // shortest timeout, from 100 ms to 1 s, keeps a timeout within a quarter of its length for a walk of
      // the connection list a second.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(Math.min(settings.requestTimeout, settings.headersTimeout) / 4))),
    },
    listener,
  );
  server.keepAliveTimeout = settings.keepAliveTimeout;
  server.maxConnections = settings.maxConnections;
  return server;
}
