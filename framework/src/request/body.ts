import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import Busboy from "busboy";
import type { Context } from "koa";
import qs from "qs";
import getRawBody from "raw-body";
import { ConfigurationError, FrameworkError } from "../core/errors";
import { parseByteSize } from "../core/bytes";
import { InputLimits, type InputLimitSettings } from "./InputLimits";

declare module "koa" {
  interface Request {
    /** The parsed body: an object (or array) for JSON, an object for form and multipart bodies, `{}` for other types. */
    body?: unknown;
  }
}

/** multipart/form-data uploads (`config/app.ts` UPLOADS). */
export interface UploadSettings {
  /** The largest file accepted, e.g. "10mb". */
  fileSize: string | number;
  /** The most files one request may carry. */
  files: number;
  /** Where uploads are written while the request runs; os.tmpdir() unless set. */
  dir?: string;
}

export interface BodySettings {
  /** The largest JSON or form body, and the most bytes of a multipart body's fields together. */
  limit: string | number;
  input?: Partial<InputLimitSettings>;
  uploads?: Partial<UploadSettings>;
}

/** A file sent in a multipart form, written to a temporary file that is deleted once the response is sent. */
export interface UploadedFile {
  /** The form field it came in. */
  readonly field: string;
  /** The file's name on the client, without any folder. */
  readonly name: string;
  /** The media type the client declared; not checked against the content. */
  readonly type: string;
  readonly size: number;
  /** The temporary file holding the content. Copy or move it to keep it. */
  readonly path: string;
}

const UPLOADS = new WeakMap<Context, UploadedFile[]>();

/** The files uploaded with this request, in the order they were sent. */
export function uploadsOf(ctx: Context): readonly UploadedFile[] {
  return UPLOADS.get(ctx) ?? [];
}

const DEFAULT_UPLOADS: UploadSettings = { fileSize: "10mb", files: 10 };
const JSON_TYPES = ["json", "+json", "application/csp-report"];
const STRICT_JSON_START = /^[\x20\x09\x0a\x0d]*[[{]/;

/**
 * Reads JSON, urlencoded and multipart bodies into `ctx.request.body` within the body limit
 * and the input limits, which are enforced before or while parsing so a hostile body costs
 * about what a flat one of the same size does. Uploaded files go to temporary files.
 */
export class BodyReader {
  readonly limits: InputLimits;
  readonly #limit: number;
  readonly #limitText: string;
  readonly #uploads: { fileSize: number; fileSizeText: string; files: number; dir: string };

  constructor(settings: BodySettings) {
    this.limits = new InputLimits(settings.input);
    this.#limit = byteSize(settings.limit, "BODY_LIMIT");
    this.#limitText = String(settings.limit);
    const uploads = { ...DEFAULT_UPLOADS, ...settings.uploads };
    this.#uploads = { fileSize: byteSize(uploads.fileSize, "UPLOADS.fileSize"), fileSizeText: String(uploads.fileSize), files: uploads.files, dir: uploads.dir ?? tmpdir() };
  }

  /** Reads and parses the request's body; a body of another type becomes `{}`, unread. */
  async read(ctx: Context): Promise<void> {
    const multipart = Boolean(ctx.request.is("multipart/form-data"));
    // The whole multipart body: its fields, plus every file at the largest size.
    const max = multipart ? this.#limit + this.#uploads.files * this.#uploads.fileSize : this.#limit;
    // Checked here, not by raw-body: the declared length must be refused before any byte is read.
    const declared = ctx.req.headers["content-length"];
    if (declared !== undefined && Number(declared) > max) throw this.#bodyTooLarge(multipart ? `${this.#limitText} of fields and ${this.#uploads.files} files of ${this.#uploads.fileSizeText}` : this.#limitText);

    if (multipart) {
      const { fields, files } = await this.#readMultipart(ctx);
      UPLOADS.set(ctx, files);
      removeAfterResponse(ctx, files);
      ctx.request.body = this.parseForm(fields);
    } else if (ctx.request.is(JSON_TYPES)) {
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

  #readMultipart(ctx: Context): Promise<{ fields: string; files: UploadedFile[] }> {
    const source = decoded(ctx);
    const { fileSize, files: maxFiles, dir } = this.#uploads;
    const { total } = this.limits.settings;
    return new Promise((resolve, reject) => {
      let busboy: Busboy.Busboy;
      try {
        // One field over the total is kept, as in parseForm, so the input limits refuse the body.
        busboy = Busboy({ headers: ctx.req.headers, limits: { fileSize, files: maxFiles, fields: total + 1, fieldSize: this.#limit } });
      } catch (error) {
        reject(new FrameworkError("E_BODY_UNREADABLE", `The multipart body could not be read: ${(error as Error).message}; send it with its boundary.`, { status: 400, expose: true, cause: error }));
        return;
      }
      const pairs: string[] = [];
      const files: UploadedFile[] = [];
      const writing: Promise<unknown>[] = [];
      let fieldBytes = 0;
      let failed = false;

      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        source.unpipe(busboy);
        // A body of declared length (checked against the limit before any of it was read) is read to its end
        // and dropped, so a client still sending it sees the answer; any other is left unread, as raw-body does.
        if (source === ctx.req && ctx.req.headers["content-length"] !== undefined) source.resume();
        else source.pause();
        // Destroying busboy ends the file being written with an error, so its write settles too; on the next
        // tick, because busboy reports a limit from inside its own parsing and cannot be destroyed there.
        process.nextTick(() => {
          busboy.destroy(error as Error);
          void Promise.allSettled(writing).then(() => removeFiles(files)).then(() => reject(error));
        });
      };

      busboy.on("field", (name, value, info) => {
        fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
        if (info.nameTruncated || info.valueTruncated || fieldBytes > this.#limit) return fail(this.#bodyTooLarge(`${this.#limitText} of fields`));
        pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      });
      busboy.on("file", (field, stream, info) => {
        // A file input left empty arrives as a part with no file name: no upload.
        if (failed || !info.filename) {
          stream.resume();
          return;
        }
        const upload = { field, name: info.filename, type: info.mimeType, size: 0, path: path.join(dir, `masonite-upload-${randomUUID()}`) };
        files.push(upload);
        stream.on("data", (chunk: Buffer) => {
          upload.size += chunk.length;
        });
        stream.on("limit", () => fail(new FrameworkError("E_UPLOAD_TOO_LARGE", `The file "${upload.name}" is over the upload limit of ${this.#uploads.fileSizeText}; send a smaller file, or raise UPLOADS.fileSize in config/app.ts.`, { status: 413, expose: true })));
        writing.push(pipeline(stream, createWriteStream(upload.path, { flags: "wx" })).catch(fail));
      });
      busboy.on("filesLimit", () => fail(new FrameworkError("E_TOO_MANY_UPLOADS", `The form sent more than ${maxFiles} files; send fewer, or raise UPLOADS.files in config/app.ts.`, { status: 413, expose: true })));
      busboy.on("error", (error) => fail(this.#unreadable(error)));
      source.on("error", (error) => fail(this.#unreadable(error)));
      busboy.on("close", () => {
        void Promise.all(writing).then(() => {
          if (!failed) resolve({ fields: pairs.join("&"), files });
        });
      });
      source.pipe(busboy);
    });
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

/** Deletes the request's temporary files once its response is sent or its connection is gone. */
function removeAfterResponse(ctx: Context, files: UploadedFile[]): void {
  if (files.length === 0) return;
  if (ctx.res.closed) void removeFiles(files);
  else ctx.res.once("close", () => void removeFiles(files));
}

async function removeFiles(files: UploadedFile[]): Promise<void> {
  await Promise.all(files.map((file) => unlink(file.path).catch(() => undefined))); // already gone, or never created
}
