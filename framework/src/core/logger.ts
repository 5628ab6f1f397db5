import pino, { type DestinationStream, type Logger as Pino } from "pino";
import type { Environment } from "./environment";
import { ConfigurationError } from "./errors";
import { redactFields, withoutUrlPasswords } from "./redaction";

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
      {
        level,
        base: undefined,
        // Every line's fields, also those given to `pino` directly, pass the redaction walk; it
        // serializes errors itself (pino's way, then their fields redacted), so pino's own err
        // serializer is left nothing to do.
        formatters: { log: redactFields },
        serializers: { err: (value: unknown) => value },
        redact: settings.REDACT?.length ? { paths: [...settings.REDACT] } : undefined,
      },
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
    // A message naming a connection (`cannot reach redis://:pw@host`) keeps its password out too.
    message = withoutUrlPasswords(message);
    if (fields) this.pino[level](fields, message);
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
