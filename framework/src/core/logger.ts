import pino, { type DestinationStream, type Logger as Pino } from "pino";
import type { Environment } from "./environment";
import { ConfigurationError } from "./errors";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `config/logging.ts`. */
export interface LogSettings {
  /** The least severe level written: trace, debug, info, warn, error, fatal or silent. */
  LEVEL: LogLevel;
  /** Human-readable lines (development) instead of one JSON object per line (production). */
  PRETTY: boolean;
  /** One line per request: method, path, status and duration. */
  REQUESTS: boolean;
  /** More fields to replace with "[Redacted]", in pino's path syntax (`body.card`, `*.pin`). */
  REDACT?: readonly string[];
}

/** Each environment's settings, for what config/logging.ts leaves out: readable lines and a line per request while developing, JSON lines in production. */
export function logDefaults(env: Environment): LogSettings {
  return { LEVEL: "info", PRETTY: env !== "production", REQUESTS: env === "development" };
}

/**
 * Fields whose values never reach a log line, in any case, at the top level and two levels
 * down: the framework logs only its own messages, but an app's `logger.info("...", { req, body })`
 * must not leak a cookie, a token or a password either. Checked by the Logger itself rather
 * than by pino's `redact`, whose wildcard paths cost 15 µs a line: this walk costs next to
 * nothing when there is nothing to hide, and copies only what it censors.
 */
const SECRET_FIELDS = new Set(["cookie", "set-cookie", "authorization", "password", "passwd", "passphrase", "secret", "token", "_token", "__token", "accesstoken", "refreshtoken", "apikey", "api_key"]);
const REDACTED = "[Redacted]";
const REDACTED_DEPTH = 2;

function withoutSecrets(value: object, depth: number): object {
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    let safe = field;
    if (SECRET_FIELDS.has(key.toLowerCase())) safe = REDACTED;
    // An Error stays one for pino's serializer (stack, causes); its own fields are the app's code, not input.
    else if (depth < REDACTED_DEPTH && field !== null && typeof field === "object" && !(field instanceof Error)) safe = withoutSecrets(field, depth + 1);
    if (safe !== field) {
      copy ??= Array.isArray(value) ? [...value] : { ...value };
      (copy as Record<string, unknown>)[key] = safe;
    }
  }
  return copy ?? value;
}

/**
 * pino's error serializer, with the messages of the error and its causes joined as one
 * sentence: each of the framework's messages ends with a period, which pino's own join
 * would keep before the colon (`... view.render().: template not found`).
 */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error);
  if (!(error instanceof Error) || typeof serialized !== "object" || serialized === null) return serialized;
  const messages: string[] = [];
  for (let link: unknown = error; link instanceof Error && messages.length < 10; link = link.cause) messages.push(link.message);
  serialized.message = messages.map((message, index) => (index < messages.length - 1 ? message.replace(/\.+$/, "") : message)).join(": ");
  return serialized;
}

/** Where loggers made from now on write, when set (masonite/testing's captureLogs). */
let capture: DestinationStream | undefined;

/** Sends every Logger created afterwards to `destination` instead of stderr (`undefined`: stderr again); returns the one it replaces. */
export function setLogDestination(destination: DestinationStream | undefined): DestinationStream | undefined {
  const replaced = capture;
  capture = destination;
  return replaced;
}

/**
 * The framework's logger: pino underneath, with a message-first signature in Laravel's shape
 * (`logger.warn("message", { err })`). Lines go to stderr, so a command's own output on stdout
 * (`craft routes:list`) stays clean to pipe. `pino` is there for what this class does not wrap.
 */
export class Logger {
  readonly pino: Pino;

  constructor(settings: Partial<LogSettings> = {}, destination: DestinationStream | undefined = capture) {
    const level = settings.LEVEL ?? "info";
    if (!LOG_LEVELS.includes(level)) {
      throw new ConfigurationError("E_LOG_LEVEL", `The log level "${level}" is unknown: set LOG_LEVEL (or LEVEL in config/logging.ts) to one of ${LOG_LEVELS.join(", ")}.`);
    }
    // JSON lines are written asynchronously (pino flushes them on exit); pretty ones at once, for a developer watching.
    const out = destination ?? pino.destination({ fd: 2, sync: settings.PRETTY === true });
    this.pino = pino(
      { level, base: undefined, redact: settings.REDACT?.length ? { paths: [...settings.REDACT] } : undefined, serializers: { err: serializeError } },
      settings.PRETTY ? prettyLines(out, destination === undefined && process.stderr.isTTY) : out,
    );
  }

  static #silent: Logger | undefined;
  /** A logger that writes nothing, for code that takes one where nothing should be said. */
  static silent(): Logger {
    return (Logger.#silent ??= new Logger({ LEVEL: "silent" }));
  }

  trace(message: string, fields?: object): void { this.#write("trace", message, fields); }
  debug(message: string, fields?: object): void { this.#write("debug", message, fields); }
  info(message: string, fields?: object): void { this.#write("info", message, fields); }
  warn(message: string, fields?: object): void { this.#write("warn", message, fields); }
  error(message: string, fields?: object): void { this.#write("error", message, fields); }
  fatal(message: string, fields?: object): void { this.#write("fatal", message, fields); }

  #write(level: Exclude<LogLevel, "silent">, message: string, fields: object | undefined): void {
    if (!this.pino.isLevelEnabled(level)) return;
    if (fields) this.pino[level](withoutSecrets(fields, 0), message);
    else this.pino[level](message);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.pino.isLevelEnabled(level);
  }
}

/**
 * pino-pretty as a plain synchronous formatter in front of `out`: no worker thread, nothing lost
 * on a crash. Required here, so production (JSON lines) never loads it.
 */
function prettyLines(out: DestinationStream, colorize: boolean): DestinationStream {
  const { prettyFactory } = require("pino-pretty") as typeof import("pino-pretty");
  // A request line says it all in its message; its fields are for JSON lines.
  const format = prettyFactory({ colorize, translateTime: "HH:MM:ss.l", ignore: "request" });
  return { write: (line: string) => void out.write(format(line)) };
}
