import { IncomingMessage, OutgoingMessage } from "node:http";
import pino from "pino";

export const REDACTED = "[Redacted]";
/** What stands for a value past the walk's budget: unchecked, so not written. */
export const TRUNCATED = "[Truncated]";
export const CIRCULAR = "[Circular]";

/**
 * Names whose values are secrets, found anywhere in a name lower-cased and stripped of
 * separators (`X-Api-Key`, `access_token`, `passwordConfirmation`, `Set-Cookie`, `db_credentials`).
 */
const SECRET_WORDS = /token|secret|passw(?:or)?d|passphrase|apikey|authori[sz]ation|cookie|credential|cardnumber|ccnumber|creditcard|cardcvc|securitycode/;
/**
 * Words too short or too common to find inside a name: secrets only as one of its words
 * (`otp_code`, `cardCvv`), so `keyboard`, `monkey` and `hotpot` pass.
 */
const SECRET_PARTS = new Set(["cvv", "cvv2", "cvc", "otp", "totp", "ssn"]);
/** A key as the name's last word is a signing or encryption key (`APP_KEY`, `PREVIOUS_KEYS`, `privateKey`). */
const KEY_PARTS = new Set(["key", "keys"]);
const SEPARATORS = /[-_.\s]+/;
/** Where a camelCase name starts a new word. */
const CAMEL = /([a-z0-9])([A-Z])/g;

function secretByRule(name: string): boolean {
  const parts = name.replace(CAMEL, "$1 $2").toLowerCase().split(SEPARATORS).filter(Boolean);
  const joined = parts.join("");
  // "cc" only as the whole name: as a word it is also an e-mail's copy field.
  return SECRET_WORDS.test(joined) || joined === "cc" || KEY_PARTS.has(parts.at(-1) ?? "") || parts.some((part) => SECRET_PARTS.has(part));
}

/**
 * pino's error serializer, with the messages of the error and its causes joined as one
 * sentence: each of the framework's messages ends with a period, which pino's own join
 * would keep before the colon (`... view.render().: template not found`).
 */
function serializeError(error: Error): object {
  const serialized = pino.stdSerializers.err(error);
  const messages: string[] = [];
  for (let link: unknown = error; link instanceof Error && messages.length < 10; link = link.cause) messages.push(link.message);
  serialized.message = messages.map((message, index) => (index < messages.length - 1 ? message.replace(/\.+$/, "") : message)).join(": ");
  return serialized;
}

/** Verdicts by name: a log line repeats the same few keys, so each is worked out once. */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 10_000;

/**
 * Whether a field or header named `name` holds a secret: the one rule for what the log
 * redacts and what `withInput()` never flashes (the session's DEFAULT_DONT_FLASH).
 */
export function isSecretName(name: string): boolean {
  let secret = verdicts.get(name);
  if (secret === undefined) {
    secret = secretByRule(name);
    // Names from input (a body's keys) could be endless; the cache stays bounded.
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(name, secret);
  }
  return secret;
}

/**
 * A URL's password (`redis://:pw@host`, `postgres://user:pw@host/db`): up to the authority's
 * last "@", since a password may hold an unescaped one.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#]+@/gi;

/** `text` with the password of every URL in it replaced by "[Redacted]". */
export function withoutUrlPasswords(text: string): string {
  // Most strings hold no "@" (a referer, a user agent), so most cost one scan and no regex.
  return text.includes("@") && text.includes("://") ? text.replace(URL_PASSWORD, `$1${REDACTED}@`) : text;
}

/**
 * Values one log line's fields may hold, every field and array item at any depth counted: past
 * it the rest is written as "[Truncated]" rather than unchecked. A size, not a depth: a password
 * ten levels down is found, and a huge or endless structure still ends.
 */
export const REDACTION_BUDGET = 5_000;

/**
 * Nesting beyond which values are "[Truncated]" too: not a limit of the redaction (nothing
 * deeper is written unchecked) but of the call stack, which this walk and JSON writing share.
 */
const MAX_NESTING = 1_000;

/** A URL's path without its query string, which can carry a reset token or a signed link. */
function pathOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

class Walk {
  #left = REDACTION_BUDGET;
  /** The objects being walked, outermost first: meeting one again is a cycle. (An array: most lines nest two or three deep.) */
  readonly #path: object[] = [];

  value(value: unknown): unknown {
    if (--this.#left < 0) return TRUNCATED;
    if (typeof value === "string") return withoutUrlPasswords(value);
    if (value === null || typeof value !== "object") {
      return typeof value === "function" ? undefined : value;
    }
    if (this.#path.includes(value)) return CIRCULAR;
    if (this.#path.length >= MAX_NESTING) return TRUNCATED;
    // No finally: a throw abandons the whole walk (redactFields catches it).
    this.#path.push(value);
    const safe = this.#object(value);
    this.#path.pop();
    return safe;
  }

  #object(value: object): unknown {
    // Most fields are plain objects: they skip the tests for the shapes below.
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return this.#fields(value);
    if (value instanceof Date || ArrayBuffer.isView(value)) return value;
    if (value instanceof Error) return this.#fields(serializeError(value));
    if (value instanceof IncomingMessage) return this.#incoming(value);
    if (value instanceof OutgoingMessage) return this.#outgoing(value);
    if (Array.isArray(value)) return this.#array(value);
    if (value instanceof Map) return this.#fields(Object.fromEntries(value));
    if (typeof Headers === "function" && value instanceof Headers) return this.#fields(Object.fromEntries(value));
    const koa = value as Partial<Record<"request" | "response" | "req" | "res" | "ctx", unknown>>;
    // Koa's context, request and response, told apart by their own fields (core loads no Koa).
    if (koa.req instanceof IncomingMessage && koa.res instanceof OutgoingMessage) {
      const request = this.#incoming(koa.req);
      const response = this.#outgoing(koa.res);
      if (koa.request !== undefined && koa.response !== undefined) return { request, response };
      if (koa.ctx !== undefined && koa.response !== undefined) return request;
      if (koa.ctx !== undefined && koa.request !== undefined) return response;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      try {
        return this.value(toJSON.call(value));
      } catch {
        return TRUNCATED;
      }
    }
    return this.#fields(value);
  }

  #fields(value: object): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      copy[key] = isSecretName(key) ? REDACTED : this.value((value as Record<string, unknown>)[key]);
    }
    return copy;
  }

  /** Items walked; a list of strings is also read as name/value pairs (Node's rawHeaders, [name, value] tuples). */
  #array(value: unknown[]): unknown[] {
    const copy = new Array<unknown>(value.length);
    let strings = true;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== "string") strings = false;
      copy[i] = this.value(item);
    }
    if (strings) {
      for (let i = 0; i + 1 < copy.length; i += 2) if (isSecretName(copy[i] as string)) copy[i + 1] = REDACTED;
    }
    return copy;
  }

  /** pino's request serializer, with the path in place of the URL. */
  #incoming(request: IncomingMessage): Record<string, unknown> {
    return { method: request.method, url: pathOf(request.url), headers: this.value(request.headers), remoteAddress: request.socket?.remoteAddress };
  }

  /** A server's response or a client's request: what it is, and its headers. */
  #outgoing(message: OutgoingMessage): Record<string, unknown> {
    const client = message as OutgoingMessage & { method?: string; path?: string; statusCode?: number };
    return { method: client.method, path: pathOf(client.path), statusCode: client.statusCode, headers: this.value(message.getHeaders()) };
  }
}

/**
 * A log line's fields as they may be written: every field whose name says secret (at any depth,
 * in any case or spelling) replaced with "[Redacted]"; requests, responses, Koa's context and
 * errors reduced to what pino's serializers keep (headers redacted, no query string, an error's
 * type, message and stack with its causes, and its own fields); cycles cut; and the whole
 * bounded by REDACTION_BUDGET values. Returns a new object; the caller's is never changed.
 */
export function redactFields(fields: object): Record<string, unknown> {
  // A line without fields (most of the framework's own) costs no walk.
  for (const _ in fields) {
    try {
      return new Walk().value(fields) as Record<string, unknown>;
    } catch {
      // A getter that throws, a Proxy: the line is still written, without the fields.
      return { fields: TRUNCATED };
    }
  }
  return fields as Record<string, unknown>;
}
