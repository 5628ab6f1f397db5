import { ConfigurationError, FrameworkError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { Encrypter } from "../../security/Encrypter";
import type { CookieWrite } from "../cookies";
import { isWellFormedId } from "../ids";
import type { LoadedSession, SessionChanges, SizeLimit } from "../SessionStore";

export interface CookieStoreOptions {
  /** Cookie name; chunks are `<name>.1`, `<name>.2` ... */
  name: string;
  key: string;
  previousKeys: readonly string[];
  /** Most bytes the session's cookies may take in the Cookie header; past it nothing is written. */
  maxSize: number;
  logger: Logger;
}

/** Node answers 431 to requests whose headers pass 16 KB, so no session's cookies may come near that. */
const MAX_COOKIE_HEADER = 12 * 1024;
/** Browsers drop a cookie over 4096 bytes (name and attributes included) without a word. */
const CHUNK_SIZE = 3800;
/** A read-only request re-seals only when the sealed expiry has slid by more than this. */
const REFRESH_AFTER_MS = 60_000;
const CHUNKED = /^(\d{1,2})\.(.*)$/;

interface Payload { i: string; c: number; e: number; d: Record<string, unknown> }

/** What the payload adds around the session data: `{"i":"<id>","c":<ms>,"e":<ms>,"d":` and `}`. */
const ENVELOPE_BYTES = JSON.stringify({ i: "x".repeat(43), c: Date.now(), e: Date.now(), d: {} } satisfies Payload).length - 2;

/**
 * Bytes a browser sends back for a sealed payload of `plainBytes`: each chunk's name=value
 * and the "; " between them, as they stand in the Cookie header.
 */
export function cookieBytes(name: string, plainBytes: number): number {
  const sealed = Encrypter.sealedLength(plainBytes);
  const count = Math.ceil(sealed / CHUNK_SIZE);
  if (count === 1) return name.length + 1 + sealed;
  let bytes = name.length + 1 + `${count}.`.length + sealed;
  for (let i = 1; i < count; i++) bytes += 2 + `${name}.${i}=`.length;
  return bytes;
}

/** The most session data (JSON bytes) whose cookies stay within `maxSize`. */
function dataBudget(name: string, maxSize: number): number {
  let low = 0;
  let high = maxSize;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cookieBytes(name, ENVELOPE_BYTES + mid) <= maxSize) low = mid;
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
 * The one client-side store: the whole session, sealed with AES-256-GCM into the client's
 * cookies. The idle expiry is inside the seal, so an old cookie replayed after it is refused
 * even if the browser kept it. It cannot merge concurrent writes of one user: the last
 * response's cookie wins.
 */
export class CookieStore {
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
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: DRIVERS.cookie.maxSize of ${options.maxSize} bytes leaves ${bytes} bytes for session data once sealed; give it at least ${cookieBytes(options.name, ENVELOPE_BYTES + 64)}.`);
    }
    this.sizeLimit = { bytes, advice: `The cookie driver keeps sessions within DRIVERS.cookie.maxSize (${options.maxSize} bytes of cookies): store less in the session, or use the redis driver (SESSION_DRIVER=redis).` };
    this.#encrypter = new Encrypter({ key: options.key, previousKeys: options.previousKeys, purpose: "session-cookie" });
  }

  /** The session the cookies carry, or undefined when they carry none that is authentic and unexpired. */
  load(jar: ReadonlyMap<string, string>): LoadedSession | undefined {
    const sealed = this.#readSealed(jar);
    if (sealed === undefined) return undefined;
    const plain = this.#encrypter.open(sealed, this.#options.name);
    if (!plain) return this.#reject("it failed authentication (tampered, truncated, or sealed under an unknown key)");
    let payload: unknown;
    try {
      payload = JSON.parse(plain.toString("utf8"));
    } catch {
      return this.#reject("its payload is not JSON");
    }
    // Authentic but not shaped like what save() seals (an old format, a bug, a leaked key): no session.
    if (!isPayload(payload)) return this.#reject("its payload is not a session");
    if (payload.e <= Date.now()) return this.#reject("it expired");
    return { id: payload.i, data: payload.d, createdAt: payload.c, expiresAt: payload.e };
  }

  /** The cookies that carry the changed session, expiring `ttl` seconds from now; none when nothing needs sending. */
  save(changes: SessionChanges, jar: ReadonlyMap<string, string>, ttl: number): CookieWrite[] {
    const expiresAt = Date.now() + ttl * 1000;
    const loadedExpiry = changes.loaded?.expiresAt;
    if (changes.clean && (loadedExpiry === undefined || expiresAt - loadedExpiry < REFRESH_AFTER_MS)) return [];
    const json = `{"i":${JSON.stringify(changes.id)},"c":${changes.createdAt},"e":${expiresAt},"d":${changes.snapshotJson()}}`;
    // Session keeps the data within sizeLimit; this is the last line before a browser gets cookies it would be locked out by.
    const size = cookieBytes(this.#options.name, Buffer.byteLength(json));
    if (size > this.#options.maxSize) {
      throw new FrameworkError("E_SESSION_TOO_LARGE", `The session's cookies would take ${size} bytes, over DRIVERS.cookie.maxSize (${this.#options.maxSize}); nothing was saved. ${this.sizeLimit.advice}`);
    }
    return this.#chunks(this.#encrypter.seal(Buffer.from(json), this.#options.name), jar);
  }

  /** The sealed value, reassembled from its chunks when it was split. */
  #readSealed(jar: ReadonlyMap<string, string>): string | undefined {
    const first = jar.get(this.#options.name);
    if (!first) return undefined;
    const chunked = CHUNKED.exec(first);
    if (!chunked) return first;
    const count = Number(chunked[1]);
    let sealed = chunked[2]!;
    for (let i = 1; i < count; i++) {
      const part = jar.get(`${this.#options.name}.${i}`);
      if (part === undefined) return ""; // a chunk went missing: fails authentication below, and is logged
      sealed += part;
    }
    return sealed;
  }

  #chunks(sealed: string, jar: ReadonlyMap<string, string>): CookieWrite[] {
    const { name } = this.#options;
    const count = Math.ceil(sealed.length / CHUNK_SIZE);
    const writes: CookieWrite[] = [];
    if (count === 1) {
      writes.push({ name, value: sealed });
    } else {
      writes.push({ name, value: `${count}.${sealed.slice(0, CHUNK_SIZE)}` });
      for (let i = 1; i < count; i++) writes.push({ name: `${name}.${i}`, value: sealed.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE) });
    }
    // Chunks left over from a larger session would otherwise linger in the browser.
    for (const existing of jar.keys()) {
      if (existing.startsWith(`${name}.`) && Number(existing.slice(name.length + 1)) >= count) writes.push({ name: existing, value: "", maxAge: 0 });
    }
    return writes;
  }

  #reject(why: string): undefined {
    this.#options.logger.debug(`session cookie refused: ${why}; starting a fresh session`);
    return undefined;
  }
}
