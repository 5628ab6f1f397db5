/**
 * Errors the framework raises on purpose carry a stable `code` (for logs and tests)
 * and, when they map to an HTTP answer, the `status` the error page uses. `expose`
 * says whether the message is safe to show a visitor outside debug mode; `detail` never is.
 */
export class FrameworkError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  /**
   * Which of the ways to get here it was, and its fix: for the developer (the page and JSON
   * with APP_DEBUG=true, and the log), never for a visitor of a production app.
   */
  readonly detail: string | undefined;

  constructor(code: string, message: string, options: { status?: number; expose?: boolean; cause?: unknown; detail?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.detail = options.detail;
  }
}

/**
 * Closes a message that ends in text the framework did not write (a cause's message, npm's
 * output), so that it still ends with exactly one period, whatever that text ended with.
 */
export function sentence(text: string): string {
  return `${text.replace(/[.\s]+$/, "")}.`;
}

/** A mistake in the app's configuration or code, found at start-up or route registration. */
export class ConfigurationError extends FrameworkError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { status: 500, expose: false, cause });
  }
}
