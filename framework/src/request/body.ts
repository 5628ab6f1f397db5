import type { IncomingMessage } from "node:http";
import zlib from "node:zlib";
import type qs from "qs";
import getRawBody from "raw-body";
import { ConfigurationError, FrameworkError } from "../core/errors";
import { parseByteSize } from "../core/bytes";
import { bodyAborted, bodyTooLarge, bodyUnreadable } from "./errors";
import { InputLimits, type InputLimitSettings } from "./InputLimits";
import type { HttpContext } from "./HttpContext";
import { cleanInput } from "./input";
import { readMultipart, type BodySource, type MultipartLimits } from "./multipart";
import { RequestFiles, UploadFolder } from "./uploads";

export type { UploadedFile } from "./uploads";

/** multipart/form-data uploads (`config/app.ts` UPLOADS). */
export interface UploadSettings {
  /** The largest file accepted, e.g. "10mb". */
  fileSize: string | number;
  /** The most files one request may carry. */
  files: number;
  /** Where the app makes its private folder (0700) for uploads while their request runs; os.tmpdir() unless set. */
  dir?: string;
}

export interface BodySettings {
  /** The largest JSON or form body, and the most bytes of a multipart body's fields together. */
  limit: string | number;
  input?: Partial<InputLimitSettings>;
  uploads?: Partial<UploadSettings>;
}

const DEFAULT_UPLOADS = { fileSize: "10mb", files: 10 };
const JSON_TYPES = ["json", "+json", "application/csp-report"];
const STRICT_JSON_START = /^[\x20\x09\x0a\x0d]*[[{]/;

/**
 * Reads JSON, urlencoded and multipart bodies into the context's `body`, cleaned once here
 * (cleanInput), within the body limit and the input limits, which are enforced before or while
 * parsing so a hostile body costs about what a flat one of the same size does. Uploaded files go to temporary files in the
 * app's private upload folder, deleted whichever way the request ends.
 */
export class BodyReader {
  readonly limits: InputLimits;
  readonly folder: UploadFolder;
  readonly #limit: number;
  readonly #limitText: string;
  readonly #multipart: MultipartLimits;

  constructor(settings: BodySettings) {
    this.limits = new InputLimits(settings.input);
    this.#limit = byteSize(settings.limit, "BODY_LIMIT");
    this.#limitText = String(settings.limit);
    const uploads = { ...DEFAULT_UPLOADS, ...settings.uploads };
    const fileSize = byteSize(uploads.fileSize, "UPLOADS.fileSize");
    const files = fileCount(uploads.files);
    this.#multipart = {
      fieldBytes: this.#limit,
      fieldBytesText: `${this.#limitText} of fields`,
      fields: this.limits.settings.total + 1,
      fileSize,
      fileSizeText: String(uploads.fileSize),
      files,
      // The whole multipart body: its fields, plus every file at the largest size.
      total: this.#limit + files * fileSize,
      totalText: `${this.#limitText} of fields and ${files} files of ${uploads.fileSize}`,
    };
    this.folder = new UploadFolder(uploads.dir);
  }

  /**
   * Reads a JSON or urlencoded body now; a multipart one is checked (declared length, encoding)
   * and left for the context's readBody(), so nothing is written to disk before a route wants it.
   */
  begin(http: HttpContext): Promise<void> {
    const ctx = http.koa;
    if (!ctx.request.is("multipart/form-data")) return this.read(http);
    this.#refuseDeclaredLength(ctx, true);
    decoding(ctx.req);
    http.waitForBody(this);
    return Promise.resolve();
  }

  /** Reads and parses the request's body now; a body of another type becomes `{}`, unread. */
  async read(http: HttpContext): Promise<void> {
    const ctx = http.koa;
    const multipart = Boolean(ctx.request.is("multipart/form-data"));
    this.#refuseDeclaredLength(ctx, multipart);
    if (multipart) {
      // A client gone before the route read its body: its request emits nothing more, so a read would never settle.
      if (ctx.res.closed) throw bodyAborted();
      const source = bodySource(ctx.req);
      const files = new RequestFiles(this.folder.path);
      // Every end of the request (answered, failed, aborted, timed out) closes its response: the files go then.
      ctx.res.once("close", () => void files.removeAll());
      const fields = await readMultipart(ctx.req, source, this.#multipart, files);
      http.uploads = files.files;
      http.body = cleanInput(this.parseForm(fields));
    } else if (ctx.request.is(JSON_TYPES)) {
      http.body = cleanInput(this.parseJson(await this.#readText(ctx)));
    } else if (ctx.request.is("urlencoded")) {
      http.body = cleanInput(this.parseForm(await this.#readText(ctx)));
    } else {
      http.body = {};
    }
  }

  /** Removes the upload folder the reader made for itself. */
  close(): void {
    this.folder.close();
  }

  /** A declared length over the limit is refused before any byte is read (raw-body would read first). */
  #refuseDeclaredLength(ctx: HttpContext["koa"], multipart: boolean): void {
    const declared = ctx.req.headers["content-length"];
    const max = multipart ? this.#multipart.total : this.#limit;
    if (declared !== undefined && Number(declared) > max) throw bodyTooLarge(multipart ? this.#multipart.totalText : this.#limitText);
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
    // qs (and its dependency tree) loads with the first form body: start-up and a GET never need it.
    const { parse } = require("qs") as typeof qs;
    const parsed = parse(text, { allowDots: true, depth, parameterLimit: total + 1 });
    this.limits.check(parsed);
    return parsed;
  }

  async #readText(ctx: HttpContext["koa"]): Promise<string> {
    const source = bodySource(ctx.req);
    const length = source.stream === ctx.req ? ctx.req.headers["content-length"] : undefined;
    try {
      return await getRawBody(source.stream, { limit: this.#limit, length, encoding: "utf-8" });
    } catch (error) {
      source.stop();
      throw this.#unreadable(error);
    }
  }

  /** A read error as an answer: over the limit is 413; one without a status (zlib on bytes that are not gzip) is the client's, 400. */
  #unreadable(error: unknown): unknown {
    if (error instanceof FrameworkError) return error;
    const status = (error as { status?: unknown })?.status;
    if (status === 413) return bodyTooLarge(this.#limitText);
    if (typeof status === "number") return error;
    return bodyUnreadable(error);
  }
}

function byteSize(size: string | number, name: string): number {
  const bytes = parseByteSize(size);
  if (bytes === undefined) throw new ConfigurationError("E_BAD_BYTE_SIZE", `${name} is "${size}", which is not a size; write it like "512kb" or "10mb".`);
  return bytes;
}

/** A count that is no whole number (NaN from a typo'd env var) would lift busboy's limit and the total's. */
function fileCount(files: unknown): number {
  if (!Number.isSafeInteger(files) || (files as number) < 0) {
    throw new ConfigurationError("E_BAD_UPLOAD_COUNT", `UPLOADS.files in config/app.ts is ${JSON.stringify(String(files))}, which is not a number of files; write a whole number of 0 or more, like 10.`);
  }
  return files as number;
}

function notJson(reason: string): FrameworkError {
  return new FrameworkError("E_BODY_NOT_JSON", `The request body is not valid JSON (${reason}); send a JSON object or array.`, { status: 400, expose: true });
}

const DECODERS: Record<string, (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | undefined> = {
  identity: undefined,
  gzip: zlib.createGunzip,
  "x-gzip": zlib.createGunzip,
  deflate: zlib.createInflate,
  br: zlib.createBrotliDecompress,
};

/** What undoes the request's Content-Encoding (undefined for identity); an encoding not listed is a 415. */
function decoding(req: IncomingMessage): (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | undefined {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (!Object.hasOwn(DECODERS, encoding)) {
    throw new FrameworkError("E_UNSUPPORTED_ENCODING", `The request body's Content-Encoding "${encoding}" is not supported; send it as gzip, deflate, br or identity.`, { status: 415, expose: true });
  }
  return DECODERS[encoding];
}

/**
 * The request body with its Content-Encoding undone. pipe() carries data, not an abort or an
 * error: a decoder is destroyed when the request fails or is cut short, so a reader waiting on
 * it settles and its zlib memory goes. `stop()` ends a failed read: the decoder is destroyed and
 * the rest of the body is read and dropped (undecoded, kept nowhere), so a client still sending
 * it sees the answer rather than a reset connection; SERVER.requestTimeout bounds how long.
 */
function bodySource(req: IncomingMessage): BodySource {
  // A request destroyed before it was whole emits no data, end or close any more: piping it would wait forever.
  if (req.destroyed && !req.complete) throw bodyAborted();
  const decoder = decoding(req)?.();
  const stop = (): void => {
    req.unpipe();
    decoder?.destroy();
    req.resume();
  };
  if (!decoder) return { stream: req, stop };
  const cutShort = (): void => {
    if (!req.complete) decoder.destroy(bodyAborted());
  };
  req.once("error", cutShort).once("close", cutShort);
  req.pipe(decoder);
  return { stream: decoder, stop };
}
