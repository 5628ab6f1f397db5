/**
 * The session's shape, declared once by the app through declaration merging
 * (app/types/session.ts):
 *
 *     declare module "masonite/sessions" {
 *       interface SessionData { user_id: string; cart: { sku: string; qty: number }[] }
 *     }
 *
 * A declared key is typed in every Session method; any other key stays `unknown` (or the type
 * the caller names) unless `SessionTypes` turns on strict mode. The framework declares the two
 * keys it flashes itself, so they are typed in every app (and an app may not redeclare them).
 */
export interface SessionData {
  /** Validation messages by field, flashed by `response.withErrors()`. */
  errors: Record<string, string[]>;
  /** The message `response.withSuccess()` flashes. */
  success: string;
}

/**
 * Switches for the session's types, set by declaration merging next to `SessionData`:
 * `interface SessionTypes { strict: true }` makes every key `SessionData` does not declare a
 * compile error (flash messages included: declare them too).
 */
export interface SessionTypes {}

type Strict = SessionTypes extends { strict: true } ? true : false;

/** The keys `Shape` declares. */
export type DeclaredKey<Shape> = keyof Shape & string;

/**
 * What an undeclared key meets in strict mode: no plain string is one, and the compiler's refusal
 * names it, so the error says the fix (`... not assignable to parameter of type
 * 'DeclareInSessionData<"nope">'`) where `never` would say nothing.
 */
export type DeclareInSessionData<K extends string> = string & {
  readonly "strict session types: declare this key in interface SessionData (declare module \"masonite/sessions\", in app/types/session.ts)": K;
};

/** `K` when it is a key `Shape` does not declare and strict mode is off; in strict mode the refusal `DeclareInSessionData<K>`; never for a declared key. */
export type UndeclaredKey<K extends string, Shape> = Strict extends true ? (K extends DeclaredKey<Shape> ? never : DeclareInSessionData<K>) : K extends DeclaredKey<Shape> ? never : K;

/** `K` when a Session accepts it as a key: declared, or any key outside strict mode. */
export type SessionKey<K extends string, Shape> = K extends DeclaredKey<Shape> ? K : UndeclaredKey<K, Shape>;

/** `K` when `increment()` accepts it: a declared key holding any number, or an undeclared key. */
export type CounterKey<K extends string, Shape> = K extends DeclaredKey<Shape>
  ? number extends Exclude<Shape[K], undefined>
    ? Exclude<Shape[K], undefined> extends number
      ? K
      : never
    : never
  : UndeclaredKey<K, Shape>;

/** What may be stored under `K`: its declared type, anything JSON-safe for an undeclared key. */
export type SessionValue<K extends string, Shape> = K extends DeclaredKey<Shape> ? Exclude<Shape[K], undefined> : unknown;

/** `T` with a literal widened, so `get("count", 0)` is a number, not the type `0`. */
export type Widened<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** What `all()` returns and `flash({ ... })` takes: the declared keys typed, others `unknown` outside strict mode. */
export type SessionValues<Shape> = { [K in DeclaredKey<Shape>]?: Exclude<Shape[K], undefined> } & (Strict extends true ? unknown : Record<string, unknown>);

/** What the runtime check needs of a schema: zod's `safeParse`, without the framework loading zod. */
export interface ValueSchema<T = unknown> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/**
 * config/session.ts SCHEMA: a schema per declared key, run on a stored value the first time its
 * key is read in a request. A check, not a transform: a value that fits is returned as stored.
 */
export type SessionSchema = { readonly [K in keyof SessionData]?: ValueSchema<SessionData[K]> };
