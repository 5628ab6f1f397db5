import { FrameworkError } from "../core/errors";

/** The coded answers a request body can get: what the client should fix, or a bug of ours. */

export function bodyTooLarge(limit: string): FrameworkError {
  return new FrameworkError("E_BODY_TOO_LARGE", `The request body is over the limit of ${limit}; send less, or raise BODY_LIMIT in config/app.ts.`, { status: 413, expose: true });
}

export function bodyUnreadable(cause: unknown): FrameworkError {
  return new FrameworkError("E_BODY_UNREADABLE", "The request body could not be read; check its Content-Encoding and Content-Type.", { status: 400, expose: true, cause });
}

/** The client went away before the body was whole: nobody reads the answer, but the request must still settle. */
export function bodyAborted(): FrameworkError {
  return new FrameworkError("E_BODY_ABORTED", "The client closed the connection before the request body was whole; nothing was kept.", { status: 400, expose: true });
}

export function malformedMultipart(reason: string): FrameworkError {
  return new FrameworkError("E_MULTIPART_MALFORMED", `The multipart body is malformed (${reason}); send it as a browser's form would.`, { status: 400, expose: true });
}

/** A part without a name: a browser never sends one, and no field or file could hold it. */
export function namelessPart(): FrameworkError {
  return new FrameworkError("E_MULTIPART_NO_NAME", 'A part of the multipart body has no name (its Content-Disposition lacks name="..."); give every field and file a name.', { status: 400, expose: true });
}

/** A file name whose last segment is empty, "." or ".." names no file: refused rather than dropped or renamed behind the client's back. */
export function badFileName(name: string): FrameworkError {
  return new FrameworkError("E_UPLOAD_BAD_NAME", `The uploaded file name ${JSON.stringify(name)} names no file; rename the file and send it again.`, { status: 400, expose: true });
}

export function uploadTooLarge(name: string, limit: string): FrameworkError {
  return new FrameworkError("E_UPLOAD_TOO_LARGE", `The file "${name}" is over the upload limit of ${limit}; send a smaller file, or raise UPLOADS.fileSize in config/app.ts.`, { status: 413, expose: true });
}

export function tooManyUploads(max: number): FrameworkError {
  return new FrameworkError("E_TOO_MANY_UPLOADS", `The form sent more than ${max} files; send fewer, or raise UPLOADS.files in config/app.ts.`, { status: 413, expose: true });
}

/** Anything else thrown while a body was read is ours to fix, not the client's: a 500 that keeps the cause for the log. */
export function bodyReaderBug(cause: unknown): FrameworkError {
  return new FrameworkError("E_BODY_READER_FAILED", `Reading the request body failed inside the framework: ${(cause as Error)?.message ?? String(cause)}; report it with the log line.`, { status: 500, expose: false, cause });
}
