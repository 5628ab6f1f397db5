/** Whether a cookie's Expires date has passed (an unreadable date keeps the cookie, as browsers do). */
function isPast(expires: string | undefined): boolean {
  const at = expires === undefined ? Number.NaN : Date.parse(expires.trim());
  return at <= Date.now();
}

/** A minimal browser-like cookie jar for one origin: enough for session cookies. */
export class CookieJar {
  #cookies = new Map<string, string>();

  /** Applies a response's Set-Cookie headers; Max-Age=0 or a past Expires deletes. */
  store(setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const [pair = "", ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a) || isPast(/^\s*expires\s*=(.*)$/i.exec(a)?.[1]));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  delete(name: string): void {
    this.#cookies.delete(name);
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }

  clear(): void {
    this.#cookies.clear();
  }

  /** The Cookie request header, or undefined when the jar is empty. */
  header(): string | undefined {
    return this.#cookies.size ? [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ") : undefined;
  }
}
