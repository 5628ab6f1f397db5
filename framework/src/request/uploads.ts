import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ConfigurationError, sentence } from "../core/errors";

/** A file sent in a multipart form, written to a temporary file that is deleted once the request ends. */
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

/**
 * The app's own folder for uploads in progress: made by mkdtemp, so 0700 and new, and no other
 * local account can list or read them (their files are 0600). It is made inside `UPLOADS.dir`
 * when that is set (at start-up: a folder that cannot hold it stops start-up; the configured
 * folder itself is created if missing but its mode is left alone, as it may be shared, like
 * /tmp), otherwise in the system's temporary folder on first use; either goes when the app closes.
 */
export class UploadFolder {
  readonly #parent: string;
  #made: string | undefined;

  constructor(configured?: string) {
    this.#parent = configured ?? tmpdir();
    if (configured !== undefined) this.#made = privateFolder(configured);
  }

  get path(): string {
    this.#made ??= mkdtempSync(path.join(this.#parent, "masonite-uploads-"));
    return this.#made;
  }

  /** Removes the folder this made, with anything left in it; the configured folder stays. */
  close(): void {
    if (this.#made) rmSync(this.#made, { recursive: true, force: true });
    this.#made = undefined;
  }
}

function privateFolder(folder: string): string {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return mkdtempSync(path.join(folder, "masonite-uploads-"));
  } catch (error) {
    throw new ConfigurationError(
      "E_UPLOAD_FOLDER",
      sentence(`UPLOADS.dir in config/app.ts is "${folder}", in which the app cannot make its private upload folder: ${(error as Error).message}; name a folder the app's user may write to, or leave UPLOADS.dir out to use the system's temporary folder`),
      error,
    );
  }
}

/**
 * One request's temporary files. `removeAll()` stops any file still being written, waits for its
 * write to settle, and deletes every file; after it no new file is started, so a part that
 * arrives late cannot leave one behind. It runs on every end of the request (see BodyReader).
 */
export class RequestFiles {
  readonly files: UploadedFile[] = [];
  readonly #folder: string;
  readonly #writing = new Map<WriteStream, Promise<unknown>>();
  #removed: Promise<void> | undefined;

  constructor(folder: string) {
    this.#folder = folder;
  }

  /** Writes one part to a new temporary file (0600); undefined, and the part drained, once the request has ended. */
  write(field: string, name: string, type: string, content: Readable, onError: (error: unknown) => void): { size: number } | undefined {
    if (this.#removed) {
      content.resume();
      return undefined;
    }
    const upload = { field, name, type, size: 0, path: path.join(this.#folder, `upload-${randomUUID()}`) };
    this.files.push(upload);
    content.on("data", (chunk: Buffer) => {
      upload.size += chunk.length;
    });
    const file = createWriteStream(upload.path, { flags: "wx", mode: 0o600 });
    this.#writing.set(
      file,
      pipeline(content, file).then(
        () => this.#writing.delete(file),
        (error: unknown) => {
          this.#writing.delete(file);
          onError(error);
        },
      ),
    );
    return upload;
  }

  /** The request has ended: its files are gone or going. */
  get ended(): boolean {
    return this.#removed !== undefined;
  }

  /** The writes not yet finished: the body is whole once they are. */
  settled(): Promise<unknown> {
    return Promise.allSettled(this.#writing.values());
  }

  removeAll(): Promise<void> {
    this.#removed ??= (async () => {
      for (const file of this.#writing.keys()) file.destroy();
      await this.settled();
      await Promise.all(this.files.map((file) => unlink(file.path).catch(() => undefined))); // never created, or already moved
    })();
    return this.#removed;
  }
}
