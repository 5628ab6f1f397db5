import { FrameworkError } from "../core/errors";
import type { Logger } from "../core/logger";
import { newToken } from "./ids";
import { FLASH_KEY, isReserved, OLD_INPUT_KEY, RESERVED_PREFIX, SESSION_KEYS, TOKEN_KEY } from "./keys";
import { DEFAULT_DONT_FLASH, fieldMatcher, withoutSecrets } from "./oldInput";
import type { CounterKey, DeclaredKey, SessionData, SessionKey, SessionSchema, SessionValue, SessionValues, UndeclaredKey, Widened } from "./SessionData";
import type { LoadedSession, SessionChanges, SizeLimit, StoredData } from "./SessionStore";

function describe(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return "a BigInt";
  if (typeof value === "symbol") return "a symbol";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  return `a ${(value as object).constructor?.name ?? "non-plain"} object`;
}

/** Refuses, at the call, any value JSON would not bring back as it was. */
function assertStorable(key: string, value: unknown, seen: Set<unknown> = new Set()): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number" && Number.isFinite(value)) return;
  if (typeof value === "object") {
    if (seen.has(value)) throw new TypeError(`Session value for "${key}" is circular: JSON cannot store it.`);
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value) || proto === Object.prototype || proto === null) {
      seen.add(value);
      for (const item of Object.values(value)) assertStorable(key, item, seen);
      seen.delete(value);
      return;
    }
  }
  throw new TypeError(`Session value for "${key}" is ${describe(value)}, which JSON cannot store and bring back unchanged; store plain data (strings, numbers, booleans, null, arrays, plain objects).`);
}

function assertKey(key: string): void {
  if (typeof key !== "string" || key === "" || isReserved(key)) {
    throw new TypeError(`Session key ${JSON.stringify(key)} is not allowed: use a non-empty string that does not start with "${RESERVED_PREFIX}" (the framework's own keys use that prefix).`);
  }
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Deep copy of JSON data (all a session holds), so stored state never aliases objects the app
 * keeps mutating. A walk, not a JSON round trip: templates read the session many times a page.
 */
function copy<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copy) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // A "__proto__" key (JSON.parse makes it an own property) must stay data, not become a prototype.
    if (key === "__proto__") Object.defineProperty(out, key, { value: copy((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    else out[key] = copy((value as Record<string, unknown>)[key]);
  }
  return out as T;
}

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * What `changes()` answers. The id is read through the session, since stores read it only to
 * write: a clean fresh session never draws one. One plain copy of the data serves both the
 * snapshot and its JSON.
 */
class Changes implements SessionChanges {
  readonly #session: { readonly id: string };
  readonly #data: ReadonlyMap<string, unknown>;
  #plain: StoredData | undefined = undefined;
  #json: string | undefined = undefined;

  constructor(
    session: { readonly id: string },
    data: ReadonlyMap<string, unknown>,
    readonly createdAt: number,
    readonly clean: boolean,
    readonly replace: boolean,
    readonly set: ReadonlyMap<string, unknown>,
    readonly deleted: ReadonlySet<string>,
    readonly increments: ReadonlyMap<string, number>,
    readonly loaded: LoadedSession | undefined,
  ) {
    this.#session = session;
    this.#data = data;
  }

  get id(): string {
    return this.#session.id;
  }

  snapshot(): StoredData {
    return (this.#plain ??= Object.fromEntries(this.#data));
  }

  snapshotJson(): string {
    return (this.#json ??= JSON.stringify(this.snapshot()));
  }
}

export interface SessionOptions {
  /** The store's size limit: past it the old input is trimmed, then the commit refused. */
  sizeLimit?: SizeLimit;
  /** Input fields `flashInput()` leaves out; DEFAULT_DONT_FLASH unless given. */
  dontFlash?: (name: string) => boolean;
  /** Where `flashInput()` says which fields it left out to fit the size limit, and the schema check which stored values it dropped. */
  logger?: Logger;
  /** Checks for stored values, each run the first time its key is read in a request. */
  schema?: SessionSchema;
}

const DONT_FLASH_DEFAULT = fieldMatcher(DEFAULT_DONT_FLASH);

export interface SessionTimes {
  /** Seconds of inactivity after which the session ends. */
  timeout: number;
  /** Seconds after creation after which the session ends regardless of activity. */
  lifetime: number | undefined;
}

/**
 * One request's session. It owns every rule (flash ageing, dirty tracking, id rotation,
 * the CSRF token) and hands the store a description of what changed.
 *
 * Flash rule: a key flashed during request N is readable during N and N+1, and gone from
 * N+2 on, read or not. `reflash()` and `keep()` extend it by one request.
 *
 * `Shape` types the keys (the app's `SessionData` unless named); `Session<StoredData>` is the
 * untyped view, for code that handles any key.
 */
export class Session<Shape extends object = SessionData> {
  /** Undefined until something needs a fresh session's id: a first visit that stores nothing never draws one. */
  #id: string | undefined;
  #createdAt: number;
  /** A Map, not an object: no inherited names ("constructor", "toString") can pass for stored keys, and it stays fast as keys come and go. */
  #data = new Map<string, unknown>();
  #loaded: LoadedSession | undefined;
  // The sets and maps below are made on first use: a request that only reads the session (or never touches it) allocates none.
  /** Keys flashed during this request: they survive the next one. */
  #flashNew: Set<string> | undefined;
  /** Keys flashed by the previous request: they die when this one ends. */
  #flashOld: Set<string> | undefined;
  #replace: boolean;
  #set: Map<string, unknown> | undefined;
  #deleted: Set<string> | undefined;
  #increments: Map<string, number> | undefined;
  /** False until a call changes something changes() would describe (a write, a removal, a flash kept or a token drawn). */
  #touched = false;
  #options: SessionOptions;
  /** Loaded keys with a schema that no read has checked yet; a value written in this request is not checked. */
  #unchecked: Set<string> | undefined;

  constructor(loaded: LoadedSession | undefined, options: SessionOptions = {}) {
    this.#loaded = loaded;
    this.#options = options;
    this.#id = loaded?.id;
    this.#createdAt = loaded?.createdAt ?? Date.now();
    // Reserved keys are never the app's (set() refuses them): of those, only the Session's own are loaded.
    if (loaded) for (const key of Object.keys(loaded.data)) if (!isReserved(key) || SESSION_KEYS.has(key)) this.#data.set(key, loaded.data[key]);
    const flashed = this.#data.get(FLASH_KEY);
    if (Array.isArray(flashed)) this.#flashOld = new Set(flashed.filter((k): k is string => typeof k === "string"));
    this.#replace = loaded === undefined;
    const schema = options.schema;
    if (schema && loaded) for (const key of this.#data.keys()) if (!isReserved(key) && Object.hasOwn(schema, key)) (this.#unchecked ??= new Set()).add(key);
  }

  get id(): string {
    return (this.#id ??= newToken());
  }

  /**
   * True when changes() would describe nothing: no call changed the session and it holds no
   * flash data to age. The session layer then stores nothing without asking for changes().
   */
  get untouched(): boolean {
    return !this.#touched && this.#flashOld === undefined && !this.#data.has(FLASH_KEY);
  }

  /** When the stored copy expires unless rewritten, for a store that cannot slide it on read (the cookie store's sealed expiry). */
  get storedExpiresAt(): number | undefined {
    return this.#loaded?.expiresAt;
  }

  /** True when the client had no live session and this one has not been stored yet. */
  get isNew(): boolean {
    return this.#loaded === undefined;
  }

  /**
   * The stored value, or `fallback` when the key holds nothing; a stored `null` is a value, and
   * is returned. A declared key's value has its declared type; any other key's is `unknown`
   * unless the caller names a type, `get<string>("notice")`.
   */
  get<K extends DeclaredKey<Shape>>(key: K): Shape[K] | undefined;
  get<K extends DeclaredKey<Shape>>(key: K, fallback: NoInfer<SessionValue<K, Shape>>): SessionValue<K, Shape>;
  get<T = unknown, K extends string = string>(key: UndeclaredKey<K, Shape>): T | undefined;
  get<T, K extends string = string>(key: UndeclaredKey<K, Shape>, fallback: T): Widened<T>;
  get(key: string, fallback?: unknown): unknown {
    const value = this.#read(key);
    return value === undefined ? fallback : copy(value);
  }

  /** True when `get(key)` would return a stored value, `null` included. */
  has<K extends string>(key: SessionKey<K, Shape>): boolean {
    return this.#read(key) !== undefined;
  }

  /** All data the app stored, flash data included; every declared key in it is checked against its schema first. */
  all(): SessionValues<Shape> {
    const out: Record<string, unknown> = {};
    for (const key of [...this.#data.keys()]) {
      const value = this.#read(key);
      if (value !== undefined) out[key] = copy(value);
    }
    return out as SessionValues<Shape>;
  }

  set<K extends DeclaredKey<Shape>>(key: K, value: SessionValue<K, Shape>): this;
  set<K extends string>(key: UndeclaredKey<K, Shape>, value: unknown): this;
  set(key: string, value: unknown): this {
    assertKey(key);
    assertStorable(key, value);
    this.#write(key, copy(value));
    this.#flashNew?.delete(key);
    this.#flashOld?.delete(key);
    return this;
  }

  delete<K extends string>(key: SessionKey<K, Shape>): this {
    assertKey(key);
    this.#remove(key);
    return this;
  }

  /** `get()`, then `delete()`. */
  pull<K extends DeclaredKey<Shape>>(key: K): Shape[K] | undefined;
  pull<K extends DeclaredKey<Shape>>(key: K, fallback: NoInfer<SessionValue<K, Shape>>): SessionValue<K, Shape>;
  pull<T = unknown, K extends string = string>(key: UndeclaredKey<K, Shape>): T | undefined;
  pull<T, K extends string = string>(key: UndeclaredKey<K, Shape>, fallback: T): Widened<T>;
  pull(key: string, fallback?: unknown): unknown {
    assertKey(key);
    const value = this.#read(key);
    this.#remove(key);
    return value === undefined ? fallback : copy(value);
  }

  /**
   * Adds `by` to a numeric value (missing counts as 0); a declared key must be declared a number.
   * On Redis the addition happens in Redis, so concurrent requests lose nothing.
   */
  increment<K extends string>(key: CounterKey<K, Shape>, by = 1): number {
    return this.#increment(key, by);
  }

  decrement<K extends string>(key: CounterKey<K, Shape>, by = 1): number {
    return this.#increment(key, -by);
  }

  #increment(key: string, by: number): number {
    assertKey(key);
    // Only a missing key counts as 0: a stored null is a value, and not a number.
    const stored = this.#read(key);
    const current = stored === undefined ? 0 : stored;
    if (typeof current !== "number" || !Number.isFinite(by)) {
      throw new TypeError(`Session value for "${key}" is not a number, so it cannot be incremented.`);
    }
    const next = current + by;
    assertStorable(key, next);
    if (this.#set?.has(key) || this.#deleted?.has(key) || this.#replace) {
      this.#write(key, next);
    } else {
      this.#touched = true;
      this.#data.set(key, next);
      const increments = (this.#increments ??= new Map());
      increments.set(key, (increments.get(key) ?? 0) + by);
    }
    return next;
  }

  /** Data for this request and the next only: `flash("success", "Saved")` or `flash({ ... })`. */
  flash<K extends DeclaredKey<Shape>>(key: K, value: SessionValue<K, Shape>): this;
  flash<K extends string>(key: UndeclaredKey<K, Shape>, value: unknown): this;
  flash(values: SessionValues<Shape>): this;
  flash(key: string | Record<string, unknown>, value?: unknown): this {
    const entries = typeof key === "string" ? [[key, value] as const] : Object.entries(key);
    for (const [name, item] of entries) {
      assertKey(name);
      assertStorable(name, item);
    }
    for (const [name, item] of entries) {
      this.#write(name, copy(item));
      (this.#flashNew ??= new Set()).add(name);
      this.#flashOld?.delete(name);
    }
    return this;
  }

  /**
   * Flashes a request's input for `old()` on the next page, without its secrets (the
   * `dontFlash` fields, at any depth). It never makes the session too large: when the store's
   * size limit is reached, the largest fields are left out when the request ends.
   */
  flashInput(input: Record<string, unknown>): this {
    const kept = withoutSecrets(input, this.#options.dontFlash ?? DONT_FLASH_DEFAULT);
    assertStorable("old input", kept);
    this.#write(OLD_INPUT_KEY, kept);
    (this.#flashNew ??= new Set()).add(OLD_INPUT_KEY);
    this.#flashOld?.delete(OLD_INPUT_KEY);
    return this;
  }

  /** A field of the input flashed by the previous request, or `fallback` when it has none (or `null`: a form cannot redisplay it). */
  old<T = unknown>(field: string, fallback?: T): T {
    const input = this.#data.get(OLD_INPUT_KEY) as Record<string, unknown> | undefined;
    const value = input !== null && typeof input === "object" && Object.hasOwn(input, field) ? input[field] : undefined;
    return (value === undefined || value === null ? fallback : copy(value)) as T;
  }

  /** Keeps all of the current flash data for one more request. */
  reflash(): this {
    if (!this.#flashOld) return this;
    this.#touched = true;
    const kept = (this.#flashNew ??= new Set());
    for (const key of this.#flashOld) kept.add(key);
    this.#flashOld.clear();
    return this;
  }

  /** Keeps only the named flash keys for one more request. */
  keep(...keys: string[]): this {
    for (const key of keys) {
      if (this.#flashOld?.delete(key)) {
        this.#touched = true;
        (this.#flashNew ??= new Set()).add(key);
      }
    }
    return this;
  }

  /** Removes all data, flash data and the CSRF token included; the id stays. */
  flush(): this {
    this.#data.clear();
    this.#unchecked = undefined;
    this.#flashNew = undefined;
    this.#flashOld?.clear();
    this.#startOver();
    return this;
  }

  /**
   * New id, same data: call it at login so an id known before login is worth nothing after.
   * The absolute lifetime restarts with the new id, so it counts from sign-in.
   */
  regenerate(): this {
    this.#id = newToken();
    this.#createdAt = Date.now();
    this.#data.delete(TOKEN_KEY);
    this.#startOver();
    return this;
  }

  /** New id, no data: call it at logout. */
  invalidate(): this {
    this.flush();
    return this.regenerate();
  }

  /** The CSRF token of this session, created on first use. */
  token(): string {
    const token = this.#data.get(TOKEN_KEY);
    if (typeof token === "string") return token;
    const created = newToken();
    this.#write(TOKEN_KEY, created);
    return created;
  }

  /**
   * Describes what changed; called once, when the request ends, which is also when flash
   * data ages. `ageFlash: false` is for changes made outside a request (test seeding).
   */
  changes({ ageFlash = true } = {}): SessionChanges {
    const flashOld = this.#flashOld ?? NO_KEYS;
    const flashNew = this.#flashNew ?? NO_KEYS;
    if (ageFlash && flashOld.size > 0) {
      for (const key of [...flashOld]) {
        if (!flashNew.has(key)) this.#remove(key);
      }
    }
    const flashed = ageFlash || flashOld.size === 0 ? [...flashNew] : [...flashOld, ...flashNew];
    const before = this.#data.get(FLASH_KEY);
    if (flashed.length > 0) {
      if (JSON.stringify(before) !== JSON.stringify(flashed)) this.#write(FLASH_KEY, flashed);
    } else if (before !== undefined) {
      this.#remove(FLASH_KEY);
    }
    const data = this.#data;
    const set = (this.#set ??= new Map());
    const deleted = (this.#deleted ??= new Set());
    const increments = (this.#increments ??= new Map());
    // A fresh session with nothing in it is not worth storing or sending a cookie for.
    const clean = (!this.#replace && set.size === 0 && deleted.size === 0 && increments.size === 0) || (this.#loaded === undefined && data.size === 0);
    const changes = new Changes(this, data, this.#createdAt, clean, this.#replace, set, deleted, increments, this.#loaded);
    // Measured only when a value was written: an increment moves a number by a few bytes at most
    // (the cookie store still refuses cookies past its ceiling). A clean session is not stored, so not measured.
    if (this.#options.sizeLimit && !clean && (this.#replace || set.size > 0)) {
      if (this.#fitToLimit(this.#options.sizeLimit, Buffer.byteLength(changes.snapshotJson()))) {
        return new Changes(this, data, this.#createdAt, clean, this.#replace, set, deleted, increments, this.#loaded);
      }
    }
    return changes;
  }

  /**
   * Makes a session of `size` bytes fit the store's limit by leaving the largest fields out
   * of input flashed in this request; refuses the commit when that is not enough. True when
   * it trimmed something.
   */
  #fitToLimit(limit: SizeLimit, size: number): boolean {
    if (size <= limit.bytes) return false;
    const input = this.#set?.has(OLD_INPUT_KEY) ? (this.#data.get(OLD_INPUT_KEY) as Record<string, unknown>) : undefined;
    const left: string[] = [];
    if (input) {
      const bySize = Object.keys(input).map((field) => ({ field, bytes: jsonBytes(field) + jsonBytes(input[field]) + 2 }));
      bySize.sort((a, b) => b.bytes - a.bytes);
      const kept = { ...input };
      for (const { field, bytes } of bySize) {
        if (size <= limit.bytes) break;
        delete kept[field];
        left.push(field);
        size -= bytes;
        // The running size is an estimate: once it fits, the session is measured for real.
        if (size <= limit.bytes) {
          this.#write(OLD_INPUT_KEY, kept);
          size = jsonBytes(Object.fromEntries(this.#data));
        }
      }
      if (size > limit.bytes) {
        this.#write(OLD_INPUT_KEY, kept);
        size = jsonBytes(Object.fromEntries(this.#data));
      }
    }
    if (size > limit.bytes) {
      throw new FrameworkError("E_SESSION_TOO_LARGE", `The session holds ${size} bytes, over its store's limit of ${limit.bytes}; nothing was saved. ${limit.advice}`);
    }
    this.#options.logger?.debug(`session: left ${JSON.stringify(left)} out of the old input to keep the session within its store's ${limit.bytes}-byte limit`);
    return true;
  }

  /**
   * The app's stored value under `key` (undefined for a reserved key), checked against its
   * schema on the first read: a value that no longer fits (written by an older deploy) is
   * dropped, and the log names the key, never the value.
   */
  #read(key: string): unknown {
    if (isReserved(key)) return undefined;
    if (this.#unchecked?.delete(key) && !this.#options.schema![key as keyof SessionSchema]!.safeParse(this.#data.get(key)).success) {
      this.#options.logger?.warn(`session: the stored value of "${key}" does not fit SCHEMA.${key} in config/session.ts (an older deploy may have written it), so it was dropped`);
      this.#remove(key);
    }
    return this.#data.get(key);
  }

  #write(key: string, value: unknown): void {
    this.#touched = true;
    this.#unchecked?.delete(key);
    this.#data.set(key, value);
    this.#deleted?.delete(key);
    this.#increments?.delete(key);
    (this.#set ??= new Map()).set(key, value);
  }

  #remove(key: string): void {
    this.#unchecked?.delete(key);
    if (!this.#data.delete(key)) return;
    this.#touched = true;
    this.#set?.delete(key);
    this.#increments?.delete(key);
    this.#flashNew?.delete(key);
    this.#flashOld?.delete(key);
    (this.#deleted ??= new Set()).add(key);
  }

  /** After flush/regenerate the stored copy is rewritten whole, so key-level changes are moot. */
  #startOver(): void {
    this.#touched = true;
    this.#replace = true;
    this.#set = this.#deleted = this.#increments = undefined;
  }
}
