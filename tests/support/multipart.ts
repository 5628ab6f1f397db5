import zlib from "node:zlib";

/** One part of a multipart body as a test writes it; leave `disposition` out for a form field's usual one. */
export interface Part {
  name?: string;
  filename?: string;
  type?: string;
  content: string | Buffer;
  /** The whole Content-Disposition value, or null for a part without one. */
  disposition?: string | null;
}

export const BOUNDARY = "XX";

/** A multipart/form-data body from parts, byte for byte as written (file names are sent as UTF-8, as browsers do). */
export function multipartBody(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.disposition !== undefined ? part.disposition : `form-data; name="${part.name ?? ""}"${part.filename !== undefined ? `; filename="${part.filename}"` : ""}`;
    let head = `--${boundary}\r\n`;
    if (disposition !== null) head += `Content-Disposition: ${disposition}\r\n`;
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, "utf8"), Buffer.from(part.content), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export const multipartType = (boundary = BOUNDARY) => `multipart/form-data; boundary=${boundary}`;

export type Encoding = "identity" | "gzip" | "deflate" | "br";
export const ENCODINGS: Encoding[] = ["identity", "gzip", "deflate", "br"];

/** The body compressed as Content-Encoding says. */
export function encode(body: Buffer, encoding: Encoding): Buffer {
  switch (encoding) {
    case "identity":
      return body;
    case "gzip":
      return zlib.gzipSync(body);
    case "deflate":
      return zlib.deflateSync(body);
    case "br":
      return zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
  }
}
