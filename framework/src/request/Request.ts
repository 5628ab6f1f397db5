import type { Context } from "koa";
import type { z } from "zod";
import { validate, type ValidationResult } from "../validation/validate";
import type { HttpContext } from "./HttpContext";
import { POISONED_KEYS } from "./input";
import { parseQuery } from "./query";
import type { UploadedFile } from "./uploads";

type Input = Record<string, unknown>;
/** A literal's kind: `""` is a string and `0` a number, so a fallback does not narrow the input's type. */
type Widened<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/**
 * The current HTTP request, in Masonite's vocabulary. `input()` reads the query string
 * and the parsed body together (the body wins), with prototype-polluting keys removed.
 */
export class Request {
  /** The request's context. */
  readonly http: HttpContext;
  #input: Input | undefined;

  constructor(http: HttpContext) {
    this.http = http;
  }

  /** The underlying Koa context, for the rare thing this class does not cover. */
  get ctx(): Context {
    return this.http.koa;
  }

  /** A logged Request shows the request as Koa sums it up (method, URL, headers), not the context and app behind it. */
  toJSON(): { ctx: Context } {
    return { ctx: this.ctx };
  }

  get method(): string { return this.ctx.method; }
  get path(): string { return this.ctx.path; }
  get url(): string { return this.ctx.url; }

  /** Everything the client sent as input: query string and body merged. */
  all(): Input {
    if (this.#input) return this.#input;
    const { body } = this.http;
    // The body is clean already (BodyReader cleans it once); the query string is flat, so only its keys are checked.
    const input = parseQuery(this.ctx.querystring);
    for (const key of POISONED_KEYS) delete input[key];
    if (body && typeof body === "object" && !Array.isArray(body)) Object.assign(input, body);
    // Kept once the body is settled: middleware may ask before a multipart body (read after it) has its fields.
    if (!this.http.bodyPending) this.#input = input;
    return input;
  }

  /**
   * One input value; `"user.name"` reaches into nested input. A fallback types the result by
   * its kind, not as its literal: `input("password", "")` is a string.
   */
  input<T = unknown>(name: string): T;
  input<T>(name: string, fallback: T): Widened<T>;
  input(name: string, fallback?: unknown): unknown {
    let value: unknown = this.all();
    if (!name.includes(".")) value = (value as Input)[name];
    else {
      for (const part of name.split(".")) {
        value = value && typeof value === "object" ? (value as Input)[part] : undefined;
      }
    }
    return value === undefined ? fallback : value;
  }

  has(name: string): boolean {
    return this.input(name) !== undefined;
  }

  only(...names: string[]): Input {
    const out: Input = {};
    for (const name of names) {
      const value = this.input(name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** The file uploaded in a multipart form's field, or undefined; its temporary file is deleted once the request ends. */
  file(name: string): UploadedFile | undefined {
    return this.http.uploads.find((file) => file.field === name);
  }

  /** Every file uploaded with the request, or only those of one field (`<input type="file" multiple>`). */
  files(name?: string): UploadedFile[] {
    return this.http.uploads.filter((file) => name === undefined || file.field === name);
  }

  /** A route parameter by name (`/users/@id` -> `param("id")`). */
  param(name: string, fallback?: string): string | undefined {
    return this.http.params[name] ?? fallback;
  }

  header(name: string): string | undefined {
    const value = this.ctx.get(name);
    return value === "" ? undefined : value;
  }

  /** A cookie as the client sent it, from the same parse the session layer reads. */
  cookie(name: string): string | undefined {
    return this.http.cookies.get(name);
  }

  /** Validates the input with a zod schema: `{ ok, data }` or `{ ok: false, errors }`, never a throw. */
  validate<S extends z.ZodType>(schema: S): ValidationResult<z.infer<S>> {
    return validate(schema, this.all());
  }

  /** True when the client prefers JSON (an API call or fetch), not an HTML page. */
  wantsJson(): boolean {
    return this.ctx.accepts("html", "json") === "json";
  }
}
