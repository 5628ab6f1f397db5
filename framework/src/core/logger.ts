const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * A deliberately tiny logger: one line per event on stderr, level from `LOG_LEVEL`.
 * Callers pass messages, never secrets: keys, cookies and session values stay out.
 */
export class Logger {
  #threshold: number;

  constructor(level: string = process.env.LOG_LEVEL ?? "info") {
    this.#threshold = LEVELS[(level in LEVELS ? level : "info") as LogLevel];
  }

  debug(message: string): void { this.#write("debug", message); }
  info(message: string): void { this.#write("info", message); }
  warn(message: string): void { this.#write("warn", message); }
  error(message: string): void { this.#write("error", message); }

  #write(level: LogLevel, message: string): void {
    if (LEVELS[level] < this.#threshold) return;
    process.stderr.write(`[${new Date().toISOString()}] ${level.toUpperCase()} ${message}\n`);
  }
}
