import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigurationError, Logger, setLogDestination, type LogSettings } from "masonite/core";

/** A Logger writing into an array, one entry per line. */
function recorded(settings: Partial<LogSettings> = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger(settings, { write: (line: string) => void lines.push(line) }), lines };
}

describe("Logger", () => {
  test("JSON lines carry the level, the time, the message and the fields, and nothing of the host", () => {
    const { logger, lines } = recorded();
    logger.info("started", { port: 8000 });
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(line.level, 30);
    assert.equal(line.msg, "started");
    assert.equal(line.port, 8000);
    assert.equal(typeof line.time, "number");
    assert.equal("pid" in line || "hostname" in line, false);
  });

  test("the level is a threshold: below it nothing is written", () => {
    const { logger, lines } = recorded({ LEVEL: "warn" });
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { msg: string }).msg), ["w", "e"]);
    assert.equal(logger.isLevelEnabled("info"), false);
    assert.equal(logger.isLevelEnabled("error"), true);
  });

  test("an unknown level stops start-up with a coded error that lists the known ones", () => {
    assert.throws(
      () => new Logger({ LEVEL: "loud" as LogSettings["LEVEL"] }),
      (error: unknown) => error instanceof ConfigurationError && error.code === "E_LOG_LEVEL" && /one of trace, debug, info, warn, error, fatal, silent\.$/.test(error.message),
    );
  });

  test("an error is logged with its type, its stack and the messages of its causes", () => {
    const { logger, lines } = recorded();
    logger.error("the store failed", { err: new Error("session store unavailable", { cause: new Error("connect ECONNREFUSED 127.0.0.1:6379") }) });
    const { err } = JSON.parse(lines[0]!) as { err: { type: string; message: string; stack: string } };
    assert.equal(err.type, "Error");
    assert.equal(err.message, "session store unavailable: connect ECONNREFUSED 127.0.0.1:6379");
    assert.match(err.stack, /caused by: Error: connect ECONNREFUSED/);
  });

  test("cookies, tokens, passwords and secrets are redacted, and the paths REDACT adds", () => {
    const { logger, lines } = recorded({ REDACT: ["body.card"] });
    const secrets = ["s3ss10n", "Bearer abc", "hunter2", "tok3n", "csrf-t0k3n", "sh-secret", "4111111111111111", "set-me"];
    logger.info("request", {
      cookie: "masonite_session=s3ss10n",
      req: { headers: { cookie: "masonite_session=s3ss10n", authorization: "Bearer abc", "set-cookie": ["set-me"] } },
      body: { password: "hunter2", token: "tok3n", __token: "csrf-t0k3n", card: "4111111111111111", name: "Ada" },
      secret: "sh-secret",
    });
    for (const secret of secrets) assert.doesNotMatch(lines[0]!, new RegExp(secret), `${secret} reached the log`);
    assert.match(lines[0]!, /"name":"Ada"/);
    assert.match(lines[0]!, /\[Redacted\]/);
  });

  test("pretty lines are for people: the level and message on one line, no JSON, no colour into a non-terminal", () => {
    const { logger, lines } = recorded({ PRETTY: true });
    logger.warn("redis session store: Redis answers again");
    logger.info("GET /contact 302 4.1 ms", { request: { method: "GET", path: "/contact", status: 302, ms: 4.1 } });
    assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: redis session store: Redis answers again\n$/);
    assert.match(lines[1]!, /^\[[\d:.]+\] INFO: GET \/contact 302 4\.1 ms\n$/, "a request line shows its fields only in JSON");
    assert.doesNotMatch(lines.join(""), /\u001b\[/);
  });

  test("Logger.silent() writes nothing at any level", () => {
    // Loggers made while a destination is set write there (this file's process makes the silent one here first).
    const lines: string[] = [];
    const previous = setLogDestination({ write: (line: string) => void lines.push(line) });
    try {
      const logger = Logger.silent();
      const control = new Logger({ LEVEL: "trace" });
      for (const log of [logger, control]) {
        log.trace("t");
        log.debug("d");
        log.info("i", { with: "fields" });
        log.warn("w");
        log.error("e", { err: new Error("boom") });
        log.fatal("f");
      }
      assert.equal(lines.length, 6, "the control logger's six lines, and none of the silent one's");
      assert.equal(logger.isLevelEnabled("fatal"), false);
      assert.equal(Logger.silent(), logger);
    } finally {
      setLogDestination(previous);
    }
  });
});
