import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";
import { deriveKey, parseKey } from "./keys";

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES;

/**
 * Nonces come from the OS CSPRNG in blocks: one getrandom() call serves many seals,
 * which keeps fresh random nonces off the per-request profile.
 */
class NoncePool {
  #pool = Buffer.alloc(NONCE_BYTES * 1024);
  #offset = this.#pool.length;

  take(into: Buffer, at: number): void {
    if (this.#offset === this.#pool.length) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    this.#pool.copy(into, at, this.#offset, this.#offset + NONCE_BYTES);
    this.#offset += NONCE_BYTES;
  }
}

/**
 * AES-256-GCM with keys derived once from the app key (and previous keys, for reading
 * only, so keys can rotate). The associated data binds a sealed value to where it lives
 * (e.g. the cookie name), so it cannot be moved to another cookie.
 * Format: base64url( version | nonce | ciphertext | tag ).
 */
export class Encrypter {
  #current: Buffer;
  #readable: Buffer[];
  #nonces = new NoncePool();
  /** The last associated data as bytes: callers pass one cookie name again and again. */
  #aadText = "";
  #aadBytes = Buffer.alloc(0);

  constructor(options: { key: string; previousKeys?: readonly string[]; purpose: string }) {
    this.#current = deriveKey(parseKey(options.key), options.purpose);
    const previous = (options.previousKeys ?? []).map((key, i) => deriveKey(parseKey(key, `APP_PREVIOUS_KEYS[${i}]`), options.purpose));
    this.#readable = [this.#current, ...previous];
  }

  /** The length of what `seal()` returns for a plaintext of `plainBytes`: a fixed overhead, no padding. */
  static sealedLength(plainBytes: number): number {
    return Math.ceil(((HEADER_BYTES + plainBytes + TAG_BYTES) * 4) / 3);
  }

  seal(plaintext: Buffer, associatedData: string): string {
    const out = Buffer.allocUnsafe(HEADER_BYTES + plaintext.length + TAG_BYTES);
    out[0] = VERSION;
    this.#nonces.take(out, 1);
    const cipher = createCipheriv("aes-256-gcm", this.#current, out.subarray(1, HEADER_BYTES));
    cipher.setAAD(this.#aad(associatedData));
    const written = cipher.update(plaintext);
    written.copy(out, HEADER_BYTES);
    cipher.final();
    cipher.getAuthTag().copy(out, HEADER_BYTES + written.length);
    return out.toString("base64url");
  }

  /** The plaintext, or undefined for anything malformed, tampered, moved or sealed under an unknown key. */
  open(sealed: string, associatedData: string): Buffer | undefined {
    const raw = Buffer.from(sealed, "base64url");
    if (raw.length < HEADER_BYTES + TAG_BYTES || raw[0] !== VERSION || raw.toString("base64url") !== sealed) return undefined;
    const nonce = raw.subarray(1, HEADER_BYTES);
    const body = raw.subarray(HEADER_BYTES, raw.length - TAG_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const aad = this.#aad(associatedData);
    for (const key of this.#readable) {
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, nonce);
        decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        const plaintext = decipher.update(body);
        decipher.final(); // GCM yields nothing more here; it throws when the tag does not match
        return plaintext;
      } catch {
        // wrong key or tampered: try the next readable key
      }
    }
    return undefined;
  }

  #aad(text: string): Buffer {
    if (text !== this.#aadText) {
      this.#aadBytes = Buffer.from(text);
      this.#aadText = text;
    }
    return this.#aadBytes;
  }
}
