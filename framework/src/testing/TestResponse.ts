import assert from "node:assert/strict";
import { FLASH_KEY, OLD_INPUT_KEY } from "../sessions/keys";
import type { StoredData } from "../sessions/SessionStore";
import { escapeHtml } from "../core/html";

/**
 * A finished response plus the session as the next request will see it, with
 * Masonite-style assertions that fail with the page or session in the message.
 */
export class TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  #session: StoredData | Error;

  /** `session` is the stored session, or the error reading it gave (e.g. the store is down). */
  constructor(status: number, headers: Headers, text: string, session: StoredData | Error) {
    this.status = status;
    this.headers = headers;
    this.text = text;
    this.#session = session;
  }

  /** The session as the next request will load it; throws if the store could not be read. */
  get session(): StoredData {
    if (this.#session instanceof Error) throw this.#session;
    return this.#session;
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }

  header(name: string): string | null {
    return this.headers.get(name);
  }

  /** What the response was, for a failed status assertion: a redirect's target, else the start of the body. */
  #answer(): string {
    const location = this.headers.get("location");
    if (this.status >= 300 && this.status < 400) return `a redirect to ${location ?? "nowhere (no Location header)"}`;
    return this.text.slice(0, 500);
  }

  assertStatus(status: number): this {
    assert.equal(this.status, status, `expected status ${status}, got ${this.status}: ${this.#answer()}`);
    return this;
  }

  assertOk(): this {
    assert.ok(this.status >= 200 && this.status < 300, `expected a 2xx status, got ${this.status}: ${this.#answer()}`);
    return this;
  }

  /** A 3xx with a Location; when `to` is given the Location must equal it (path or full URL). */
  assertRedirect(to?: string): this {
    assert.ok(this.status >= 300 && this.status < 400, `expected a redirect, got ${this.status}`);
    const location = this.headers.get("location");
    assert.ok(location, "the redirect has no Location header");
    if (to !== undefined) assert.equal(location, to, `expected a redirect to ${to}, got ${location}`);
    return this;
  }

  /**
   * The text appears in the body as it is, or HTML-escaped as a template prints a value
   * (`assertSee('a < b')` finds `a &lt; b`), so markup (`value="x"`) and printed text both match.
   */
  assertSee(text: string): this {
    const found = this.#find(text);
    assert.ok(found, `expected to see ${JSON.stringify(text)}${this.#escapedToo(text)} in the page:\n${this.text.slice(0, 2000)}`);
    return this;
  }

  /** Neither the text nor its HTML-escaped form appears in the body (the same search as assertSee). */
  assertDontSee(text: string): this {
    const found = this.#find(text);
    assert.ok(!found, `expected not to see ${JSON.stringify(text)}${this.#escapedToo(text)} in the page, found ${JSON.stringify(found)} in:\n${this.text.slice(0, 2000)}`);
    return this;
  }

  /** The form of `text` found in the body: as given, or escaped as a template prints it. */
  #find(text: string): string | undefined {
    return [text, escapeHtml(text)].find((form) => this.text.includes(form));
  }

  #escapedToo(text: string): string {
    const escaped = escapeHtml(text);
    return escaped === text ? "" : ` (or, escaped, ${JSON.stringify(escaped)})`;
  }

  assertSessionHas(key: string, value?: unknown): this {
    assert.ok(key in this.session, `expected the session to have "${key}"; it has ${JSON.stringify(Object.keys(this.session))}`);
    if (value !== undefined) assert.deepEqual(this.session[key], value, `session "${key}" differs`);
    return this;
  }

  assertSessionMissing(key: string): this {
    assert.ok(!(key in this.session), `expected the session not to have "${key}", it holds ${JSON.stringify(this.session[key])}`);
    return this;
  }

  /** Validation errors were flashed (for `field`, when given). */
  assertHasErrors(field?: string): this {
    const errors = this.session.errors as Record<string, string[]> | undefined;
    assert.ok(errors && Object.keys(errors).length > 0, "expected validation errors in the session, found none");
    if (field !== undefined) assert.ok(errors[field]?.length, `expected errors for "${field}"; errors are ${JSON.stringify(errors)}`);
    return this;
  }

  /** The input `withInput()` flashed for the next request's `old()`. */
  get oldInput(): Record<string, unknown> | undefined {
    return this.session[OLD_INPUT_KEY] as Record<string, unknown> | undefined;
  }

  /** `key` was flashed, so the next request can read it. */
  assertFlashed(key: string): this {
    const flashed = (this.session[FLASH_KEY] as string[] | undefined) ?? [];
    assert.ok(flashed.includes(key), `expected "${key}" to be flashed; flashed keys are ${JSON.stringify(flashed)}`);
    return this;
  }
}
