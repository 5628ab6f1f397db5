import { connect, type Socket } from "node:net";
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

/** A raw connection that has sent the start of a file upload (of a declared 900 bytes) to 127.0.0.1:port and stays open. */
export async function startedUpload(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const part = '--b\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\n\r\npartial';
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 900\r\n\r\n${part}`);
  return socket;
}
