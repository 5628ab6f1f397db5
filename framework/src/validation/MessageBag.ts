/** What `withErrors()` accepts: a bag, a `field -> messages` object, or a plain list. */
export type ErrorsInput = MessageBag | Record<string, string | string[]> | string[];

/**
 * Validation messages keyed by field, as templates see them through `errors`.
 * Messages without a field (a plain list) live under the key `""`.
 */
export class MessageBag {
  #messages: Map<string, string[]>;

  constructor(messages: Record<string, string[]> = {}) {
    this.#messages = new Map(Object.entries(messages).filter(([, list]) => list.length > 0));
  }

  static from(input: ErrorsInput | null | undefined): MessageBag {
    if (input instanceof MessageBag) return input;
    if (Array.isArray(input)) return new MessageBag({ "": input.map(String) });
    const messages: Record<string, string[]> = {};
    if (input && typeof input === "object") {
      for (const [field, value] of Object.entries(input)) {
        messages[field] = (Array.isArray(value) ? value : [value]).map(String);
      }
    }
    return new MessageBag(messages);
  }

  add(field: string, message: string): this {
    const list = this.#messages.get(field) ?? [];
    list.push(message);
    this.#messages.set(field, list);
    return this;
  }

  any(): boolean { return this.#messages.size > 0; }
  has(field: string): boolean { return this.#messages.has(field); }
  first(field: string): string { return this.#messages.get(field)?.[0] ?? ""; }
  get(field: string): string[] { return [...(this.#messages.get(field) ?? [])]; }
  all(): string[] {
    const out: string[] = [];
    for (const list of this.#messages.values()) out.push(...list);
    return out;
  }
  count(): number {
    let count = 0;
    for (const list of this.#messages.values()) count += list.length;
    return count;
  }
  fields(): string[] { return [...this.#messages.keys()]; }

  /** Plain data, as stored in the session. */
  toJSON(): Record<string, string[]> {
    return Object.fromEntries(this.#messages);
  }
}
