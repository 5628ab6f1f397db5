import { ConfigurationError, FrameworkError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { Encrypter } from "../../security/Encrypter";
import { cookieBytes } from "../cookies";
import { isWellFormedId } from "../ids";
import type { SessionStore, SizeLimit, StoredSession, WriteRecord } from "../SessionStore";

export interface CookieStoreOptions {
  /** The session cookie's name: the seal is bound to it, and the size budget counts it (and its chunks'). */
  name: string;
  key: string;
  previousKeys: readonly string[];
  /** Most bytes the session's cookies may take in the Cookie header; past it nothing is written. */
  maxSize: number;
  logger: Logger;
}

/** Node answers 431 to requests whose headers pass 16 KB, so no session's cookies may come near that. */
const MAX_COOKIE_HEADER = 12 * 1024;

interface Payload { i: string; c: number; e: number; d: Record<string, unknown> }

/** What the payload adds around the session data: `{"i":"<id>","c":<ms>,"e":<ms>,"d":` and `}`. */
const ENVELOPE_BYTES = JSON.stringify({ i: "x".repeat(43), c: Date.now(), e: Date.now(), d: {} } satisfies Payload).length - 2;

/** Bytes a browser sends back for a sealed payload of `plainBytes`. */
function sealedCookieBytes(name: string, plainBytes: number): number {
  return cookieBytes(name, Encrypter.sealedLength(plainBytes));
}

/** The most session data (JSON bytes) whose cookies stay within `maxSize`. */
function dataBudget(name: string, maxSize: number): number {
  let low = 0;
  let high = maxSize;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sealedCookieBytes(name, ENVELOPE_BYTES + mid) <= maxSize) low = mid;
    else high = mid - 1;
  }
  return low;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== "object" || value === null) return false;
  const { i, c, e, d } = value as Record<string, unknown>;
  return typeof i === "string" && isWellFormedId(i) && Number.isFinite(c) && Number.isFinite(e) && typeof d === "object" && d !== null && !Array.isArray(d);
}

/**
 * The one client-side store: the whole session, sealed with AES-256-GCM (a fresh nonce per
 * write, the cookie's name as associated data) into the token the session cookie carries.
 * The session keeps a random id of its own inside the seal, which regenerate() replaces; the
 * token changes with every write. The idle expiry is inside the seal too, so an old cookie
 * replayed after it is refused even if the browser kept it. It cannot merge concurrent writes
 * of one user (the last response's cookie wins), and it cannot revoke a session: `destroy` is
 * a no-op, since a copy of the cookie stays good until its sealed expiry or the absolute
 * lifetime, whatever the server does.
 */
export class CookieStore implements SessionStore {
  readonly clientSide = true;
  readonly sizeLimit: SizeLimit;
  #options: CookieStoreOptions;
  #encrypter: Encrypter;

  constructor(options: CookieStoreOptions) {
    this.#options = options;
    if (options.maxSize > MAX_COOKIE_HEADER) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: DRIVERS.cookie.maxSize of ${options.maxSize} bytes is over ${MAX_COOKIE_HEADER}: Node refuses a request whose headers pass 16 KB (431), and many proxies refuse a Cookie header over 8 KB. Use the redis or file driver for larger sessions.`);
    }
    const bytes = dataBudget(options.name, options.maxSize);
    if (bytes < 64) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: DRIVERS.cookie.maxSize of ${options.maxSize} bytes leaves ${bytes} bytes for session data once sealed; give it at least ${sealedCookieBytes(options.name, ENVELOPE_BYTES + 64)}.`);
    }
    this.sizeLimit = { bytes, advice: `The cookie driver keeps sessions within DRIVERS.cookie.maxSize (${options.maxSize} bytes of cookies): store less in the session, or use the redis driver (SESSION_DRIVER=redis).` };
    this.#encrypter = new Encrypter({ key: options.key, previousKeys: options.previousKeys, purpose: "session-cookie" });
  }

  /** The session sealed in `token`, or undefined when it is not authentic or has expired; its sealed expiry is not slid here. */
  read(token: string): StoredSession | undefined {
    const plain = this.#encrypter.open(token, this.#options.name);
    if (!plain) return this.#reject("it failed authentication (tampered, truncated, or sealed under an unknown key)");
    let payload: unknown;
    try {
      payload = JSON.parse(plain.toString("utf8"));
    } catch {
      return this.#reject("its payload is not JSON");
    }
    // Authentic but not shaped like what write() seals (an old format, a bug, a leaked key): no session.
    if (!isPayload(payload)) return this.#reject("its payload is not a session");
    if (payload.e <= Date.now()) return this.#reject("it expired");
    return { id: payload.i, data: payload.d, createdAt: payload.c, expiresAt: payload.e };
  }

  /** Seals the session under `id`, to expire `ttl` seconds from now, and answers the token the cookie must carry. */
  write(id: string, record: WriteRecord, ttl: number): string {
    const json = `{"i":${JSON.stringify(id)},"c":${record.createdAt},"e":${Date.now() + ttl * 1000},"d":${record.json ? record.json() : JSON.stringify(record.data)}}`;
    // Session keeps the data within sizeLimit; this is the last line before a browser gets cookies it would be locked out by.
    const plain = Buffer.from(json);
    const size = sealedCookieBytes(this.#options.name, plain.length);
    if (size > this.#options.maxSize) {
      throw new FrameworkError("E_SESSION_TOO_LARGE", `The session's cookies would take ${size} bytes, over DRIVERS.cookie.maxSize (${this.#options.maxSize}); nothing was saved. ${this.sizeLimit.advice}`);
    }
    return this.#encrypter.seal(plain, this.#options.name);
  }

  /** A client-side session cannot be ended from the server: nothing to do (see the class comment). */
  destroy(): void {}

  #reject(why: string): undefined {
    this.#options.logger.debug(`session cookie refused: ${why}; starting a fresh session`);
    return undefined;
  }
}
