import type { IncomingMessage } from "node:http";
import { Transform, type Readable } from "node:stream";
import Busboy from "busboy";
import { FrameworkError } from "../core/errors";
import { badFileName, bodyAborted, bodyReaderBug, bodyTooLarge, bodyUnreadable, malformedMultipart, namelessPart, tooManyUploads, uploadTooLarge } from "./errors";
import type { RequestFiles } from "./uploads";

export interface MultipartLimits {
  /** Most bytes of all fields' names and values together (BODY_LIMIT). */
  fieldBytes: number;
  fieldBytesText: string;
  /** Most fields: one over the input limits' total, so that they refuse the body rather than a cut. */
  fields: number;
  fileSize: number;
  fileSizeText: string;
  files: number;
  /** Most decoded bytes of the whole body, every part counted (skipped ones too), whatever Content-Length said. */
  total: number;
  totalText: string;
}

/** The request's body as sent: the decoded stream, and how to stop reading it when the read fails. */
export interface BodySource {
  stream: Readable;
  stop(): void;
}

/**
 * Reads a multipart body into urlencoded field text and temporary files. Every handler of a
 * busboy or stream event runs inside a guard: whatever it throws ends this request's read (a
 * coded 4xx as thrown, anything else a 500) and never reaches the process. On failure the
 * parsers are destroyed, the files written so far are deleted, and only then the promise
 * rejects; the caller deletes them again when the request ends, whichever way it ends.
 */
export function readMultipart(req: IncomingMessage, source: BodySource, limits: MultipartLimits, files: RequestFiles): Promise<string> {
  return new Promise((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({
        headers: req.headers,
        // File and field names as browsers send them (UTF-8), not Latin-1; the folder is cut off here (fileName).
        defParamCharset: "utf8",
        preservePath: true,
        limits: { fileSize: limits.fileSize, files: limits.files, fields: limits.fields, fieldSize: limits.fieldBytes },
      });
    } catch (error) {
      reject(new FrameworkError("E_BODY_UNREADABLE", `The multipart body could not be read: ${(error as Error).message}; send it with its boundary.`, { status: 400, expose: true, cause: error }));
      return;
    }
    const pairs: string[] = [];
    const delimiters = new DelimiterCount(req.headers["content-type"] ?? "");
    // Parts busboy handed over; one it skipped in silence (no Content-Disposition: form-data) is missing here.
    let partsSeen = 0;
    let fieldsCut = false;
    let fieldBytes = 0;
    let decodedBytes = 0;
    let failed = false;

    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      source.stop();
      // On the next tick: busboy reports a limit from inside its own parsing and cannot be destroyed there.
      // Destroying it ends the file being written with an error, so that write settles too.
      process.nextTick(() => {
        counter.destroy();
        busboy.destroy();
        void files.removeAll().then(() => reject(error));
      });
    };
    const guard = <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A): void => {
        try {
          handler(...args);
        } catch (error) {
          fail(error instanceof FrameworkError ? error : bodyReaderBug(error));
        }
      };

    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        decodedBytes += chunk.length;
        if (decodedBytes > limits.total) return done(bodyTooLarge(limits.totalText));
        delimiters.push(chunk);
        done(null, chunk);
      },
    });

    busboy.on(
      "field",
      guard((name: string | undefined, value: string, info: Busboy.FieldInfo) => {
        partsSeen++;
        if (!name) throw namelessPart();
        fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
        if (info.nameTruncated || info.valueTruncated || fieldBytes > limits.fieldBytes) throw bodyTooLarge(`${limits.fieldBytesText} of fields`);
        pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      }),
    );
    busboy.on(
      "file",
      guard((field: string | undefined, stream: Readable, info: Busboy.FileInfo) => {
        partsSeen++;
        // A part cut short errors its stream: the body's failure is reported once, by busboy or fail(), and a
        // drained part's stream has no other listener, so without this its error would reach the process.
        stream.on("error", () => undefined);
        // A part not written is drained, so busboy goes on to the next one (the counter has its bytes).
        if (failed) return void stream.resume();
        if (!field) {
          stream.resume();
          throw namelessPart();
        }
        // No file name: an octet-stream part that is no file, or a file input left empty: no upload.
        if (!info.filename) return void stream.resume();
        const name = fileName(info.filename);
        if (name === undefined) {
          stream.resume();
          throw badFileName(info.filename);
        }
        stream.on("limit", guard(() => fail(uploadTooLarge(name, limits.fileSizeText))));
        // Undefined once the request has ended (its client gone): what is left of the body is not worth reading.
        if (!files.write(field, name, info.mimeType, stream, guard((error: unknown) => fail(error)))) throw bodyAborted();
      }),
    );
    // Fields past the limit are skipped unannounced; the input limits refuse the body for them.
    busboy.on("fieldsLimit", () => {
      fieldsCut = true;
    });
    busboy.on("filesLimit", guard(() => fail(tooManyUploads(limits.files))));
    busboy.on("error", guard((error: Error) => fail(malformedMultipart(error.message))));
    counter.on("error", guard((error: unknown) => fail(error instanceof FrameworkError ? error : malformedMultipart(String(error)))));
    if (source.stream !== req) source.stream.on("error", guard((error: unknown) => fail(error instanceof FrameworkError ? error : bodyUnreadable(error))));
    // pipe() carries data, not an abort: without these a body cut short would never settle.
    req.on("error", guard(() => fail(bodyAborted())));
    req.on("close", guard(() => {
      if (!req.complete) fail(bodyAborted());
    }));
    busboy.on(
      "close",
      guard(() => {
        void files.settled().then(
          guard(() => {
            if (failed) return;
            if (files.ended) throw bodyAborted();
            // Every delimiter but the closing one opens a part.
            if (!fieldsCut && partsSeen < delimiters.count - 1) throw malformedMultipart("a part has no Content-Disposition: form-data");
            resolve(pairs.join("&"));
          }),
        );
      }),
    );
    source.stream.pipe(counter).pipe(busboy);
  });
}

/** The name without any folder (either slash), or undefined when nothing that names a file is left. */
function fileName(sent: string): string | undefined {
  const name = sent.slice(Math.max(sent.lastIndexOf("/"), sent.lastIndexOf("\\")) + 1);
  return name === "" || name === "." || name === ".." ? undefined : name;
}

/**
 * Counts the part delimiters ("\r\n--" and the boundary) in the decoded bytes as they pass,
 * across chunk edges, so parts that busboy skips without an event can be told apart. The
 * body may open with the delimiter's dashes, without the line break before them.
 */
export class DelimiterCount {
  count = 0;
  readonly #needle: Buffer | undefined;
  #tail = Buffer.from("\r\n");

  constructor(contentType: string) {
    const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    this.#needle = boundary ? Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`) : undefined;
  }

  push(chunk: Buffer): void {
    const needle = this.#needle;
    if (!needle) return;
    const keep = needle.length - 1;
    const tail = this.#tail;
    // Only the seam is copied, not the chunk: the tail is too short to hold a whole delimiter, so
    // one found in the seam starts in the tail and was not counted before. It cannot overlap one
    // inside the chunk: that would take a boundary holding "\r\n", which a header value cannot.
    const seam = Buffer.concat([tail, chunk.subarray(0, keep)]);
    for (let at = seam.indexOf(needle); at !== -1; at = seam.indexOf(needle, at + needle.length)) this.count++;
    for (let at = chunk.indexOf(needle); at !== -1; at = chunk.indexOf(needle, at + needle.length)) this.count++;
    const last = chunk.length >= keep ? chunk : seam;
    this.#tail = Buffer.from(last.subarray(Math.max(0, last.length - keep)));
  }
}
