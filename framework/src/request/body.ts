import type { Readable } from "node:stream";
import zlib from "node:zlib";
import type { Context } from "koa";
import qs from "qs";
import getRawBody from "raw-body";
import { ConfigurationError, FrameworkError } from "../foundation/errors";
import { parseByteSize } from "../foundation/guards";
import { InputLimits, type InputLimitSettings } from "./InputLimits";

declare module "koa" {
  interface Request {
    /** The parsed body: an object (or array) for JSON and form bodies, `{}` for other types. */
    body?: unknown;
  }
}

export interface BodySettings {
  /** The largest JSON or form body. */
  limit: string | number;
  input?: Partial<InputLimitSettings>;
}

const JSON_TYPES = ["json", "+json", "application/csp-report"];
const STRICT_JSON_START = /^[\x20\x09\x0a\x0d]*[[{]/;

/**
 * Reads JSON and urlencoded bodies into `ctx.request.body` within the body limit and the
 * input limits, which are enforced before or while parsing so a hostile body costs about
 * what a flat one of the same size does.
 */
export class BodyReader {
  readonly limits: InputLimits;
  readonly #limit: number;
  readonly #limitText: string;

  constructor(settings: BodySettings) {
    this.limits = new InputLimits(settings.input);
    this.#limit = byteSize(settings.limit, "BODY_LIMIT");
    this.#limitText = String(settings.limit);
  }

  /** Reads and parses the request's body; a body of another type becomes `{}`, unread. */
  async read(ctx: Context): Promise<void> {
    // Checked here, not by raw-body: the declared length must be refused before any byte is read.
    const declared = ctx.req.headers["content-length"];
    if (declared !== undefined && Number(declared) > this.#limit) throw this.#bodyTooLarge(this.#limitText);

    if (ctx.request.is(JSON_TYPES)) {
      ctx.request.body = this.parseJson(await this.#readText(ctx));
    } else if (ctx.request.is("urlencoded")) {
      ctx.request.body = this.parseForm(await this.#readText(ctx));
    } else {
      ctx.request.body = {};
    }
  }

  /** A JSON body: an object or array (empty text is `{}`), within the input limits. */
  parseJson(text: string): unknown {
    if (text === "") return {};
    if (!STRICT_JSON_START.test(text)) throw notJson("it is not an object or array");
    this.limits.scanJson(text);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw notJson((error as Error).message.replace(/\.$/, ""));
    }
  }

  /** An urlencoded body (`user[name]=x`, `user.name=x`) as nested input, within the input limits. */
  parseForm(text: string): Record<string, unknown> {
    const { depth, total } = this.limits.settings;
    // One parameter over the total is kept so `check` refuses the body rather than qs cutting it short in silence;
    // qs keeps keys deeper than `depth` as one literal segment, which `check` then finds too deep.
    const parsed = qs.parse(text, { allowDots: true, depth, parameterLimit: total + 1 });
    this.limits.check(parsed);
    return parsed;
  }

  async #readText(ctx: Context): Promise<string> {
    const encoding = (ctx.req.headers["content-encoding"] ?? "identity").toLowerCase();
    const length = encoding === "identity" ? ctx.req.headers["content-length"] : undefined;
    try {
      return await getRawBody(decoded(ctx), { limit: this.#limit, length, encoding: "utf-8" });
    } catch (error) {
      throw this.#unreadable(error);
    }
  }

  #bodyTooLarge(limit: string): FrameworkError {
    return new FrameworkError("E_BODY_TOO_LARGE", `The request body is over the limit of ${limit}; send less, or raise BODY_LIMIT in config/app.ts.`, { status: 413, expose: true });
  }

  /** A read error as an answer: over the limit is 413; one without a status (zlib on bytes that are not gzip) is the client's, 400. */
  #unreadable(error: unknown): unknown {
    if (error instanceof FrameworkError) return error;
    const status = (error as { status?: unknown })?.status;
    if (status === 413) return this.#bodyTooLarge(this.#limitText);
    if (typeof status === "number") return error;
    return new FrameworkError("E_BODY_UNREADABLE", "The request body could not be read; check its Content-Encoding and Content-Type.", { status: 400, expose: true, cause: error });
  }
}

function byteSize(size: string | number, name: string): number {
  const bytes = parseByteSize(size);
  if (bytes === undefined) throw new ConfigurationError("E_BAD_BYTE_SIZE", `${name} is "${size}", which is not a size; write it like "512kb" or "10mb".`);
  return bytes;
}

function notJson(reason: string): FrameworkError {
  return new FrameworkError("E_BODY_NOT_JSON", `The request body is not valid JSON (${reason}); send a JSON object or array.`, { status: 400, expose: true });
}

/** The request body with its Content-Encoding undone. */
function decoded(ctx: Context): Readable {
  const encoding = (ctx.req.headers["content-encoding"] ?? "identity").toLowerCase();
  switch (encoding) {
    case "identity":
      return ctx.req;
    case "gzip":
    case "x-gzip":
      return ctx.req.pipe(zlib.createGunzip());
    case "deflate":
      return ctx.req.pipe(zlib.createInflate());
    case "br":
      return ctx.req.pipe(zlib.createBrotliDecompress());
    default:
      throw new FrameworkError("E_UNSUPPORTED_ENCODING", `The request body's Content-Encoding "${encoding}" is not supported; send it as gzip, deflate, br or identity.`, { status: 415, expose: true });
  }
}
