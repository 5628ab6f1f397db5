import { FrameworkError } from "../core/errors";

/** How much structure one request's input may have (`config/app.ts` INPUT_LIMITS). */
export interface InputLimitSettings {
  /** Deepest nesting: a value inside this many objects/arrays is the deepest accepted. */
  depth: number;
  /** Most entries (keys or items) in one object or array. */
  keys: number;
  /** Most entries in all objects and arrays of the input together. */
  total: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimitSettings = { depth: 32, keys: 1_000, total: 10_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * Enforces the input limits before the input costs anything: `scanJson` walks JSON text
 * once, counting depth and entries and skipping strings, so a hostile body is refused before
 * JSON.parse builds it; `check` does the same for input already built (form and multipart
 * fields, which qs has bounded in size). A "__proto__" key in JSON is refused too: JSON.parse
 * would make it an own property that a later merge or copy could turn into a prototype.
 */
export class InputLimits {
  readonly settings: InputLimitSettings;

  constructor(settings: Partial<InputLimitSettings> = {}) {
    this.settings = { ...DEFAULT_INPUT_LIMITS, ...settings };
  }

  /** Throws a coded 400 when the JSON text is over a limit; syntax is left to JSON.parse. */
  scanJson(text: string): void {
    const { depth: maxDepth, keys: maxKeys, total: maxTotal } = this.settings;
    // One slot per open container; deeper than maxDepth + 1 is refused before it is needed.
    const counts = new Uint32Array(maxDepth + 2);
    const isObject = new Uint8Array(maxDepth + 2);
    let open = 0;
    let total = 0;
    let awaitingEntry = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) continue;
      if (c === COMMA) {
        awaitingEntry = open > 0;
        continue;
      }
      if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (open > 0) open--;
        awaitingEntry = false;
        continue;
      }
      const isKey = awaitingEntry && isObject[open - 1] === 1;
      if (awaitingEntry) {
        // A new entry of the innermost container, at depth `open`.
        awaitingEntry = false;
        if (open > maxDepth) this.#tooDeep();
        if (++counts[open - 1]! > maxKeys) this.#tooWide();
        if (++total > maxTotal) this.#tooMany();
      }
      if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (open > maxDepth) this.#tooDeep();
        counts[open] = 0;
        isObject[open] = c === OPEN_OBJECT ? 1 : 0;
        open++;
        awaitingEntry = true;
      } else if (c === QUOTE) {
        const end = stringEnd(text, i);
        if (end < 0) return; // unterminated: JSON.parse reports it
        if (isKey) refuseProtoKey(text, i, end);
        i = end;
      }
      // Numbers, true, false and null need no attention: their characters are skipped one by one.
    }
  }

  /** Throws a coded 400 when built input is over a limit. */
  check(value: unknown): void {
    this.#walk(value, 0, { total: 0 });
  }

  #walk(value: unknown, depth: number, seen: { total: number }): void {
    if (depth > this.settings.depth) this.#tooDeep();
    if (!value || typeof value !== "object") return;
    const entries = Array.isArray(value) ? value : Object.values(value);
    if (entries.length > this.settings.keys) this.#tooWide();
    seen.total += entries.length;
    if (seen.total > this.settings.total) this.#tooMany();
    for (const entry of entries) this.#walk(entry, depth + 1, seen);
  }

  #tooDeep(): never {
    throw new FrameworkError("E_INPUT_TOO_DEEP", `The request input is nested deeper than ${this.settings.depth} levels; send flatter data, or raise INPUT_LIMITS.depth in config/app.ts.`, { status: 400, expose: true });
  }

  #tooWide(): never {
    throw new FrameworkError("E_INPUT_TOO_WIDE", `An object or array in the request input has more than ${this.settings.keys} entries; send fewer, or raise INPUT_LIMITS.keys in config/app.ts.`, { status: 400, expose: true });
  }

  #tooMany(): never {
    throw new FrameworkError("E_INPUT_TOO_MANY", `The request input has more than ${this.settings.total} entries in all; send fewer, or raise INPUT_LIMITS.total in config/app.ts.`, { status: 400, expose: true });
  }
}

/** The index of the quote that closes the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end > 0) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** Refuses the key between the quotes at `start` and `end` when it spells "__proto__", escapes included. */
function refuseProtoKey(text: string, start: number, end: number): void {
  const length = end - start - 1;
  // Escaped, each of its nine characters takes at most six ("\u005f"); longer keys cannot spell it.
  const proto = length === 9 ? text.startsWith("__proto__", start + 1) : length > 9 && length <= 54 && isEscapedProto(text.slice(start, end + 1));
  if (proto) {
    throw new FrameworkError("E_INPUT_PROTO_KEY", 'The request input has a "__proto__" key, which is never accepted; rename the field.', { status: 400, expose: true });
  }
}

function isEscapedProto(quoted: string): boolean {
  if (!quoted.includes("\\")) return false;
  try {
    return JSON.parse(quoted) === "__proto__";
  } catch {
    return false; // a broken escape: JSON.parse of the whole body reports it
  }
}
