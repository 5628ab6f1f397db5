/**
 * The returning user: a few ordinary requests made before the load starts, keeping the
 * cookies the server sets, so the load generator can present that session on every request.
 */
export class Visitor {
  readonly base: string;
  #jar = new Map<string, string>();

  constructor(base: string) {
    this.base = base;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
    return this.#send("GET", path, undefined, headers);
  }

  async postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
    return this.#send("POST", path, new URLSearchParams(form).toString(), { "content-type": "application/x-www-form-urlencoded", ...headers });
  }

  /** The Cookie header the browser would send now. */
  cookieHeader(): string {
    return [...this.#jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  cookie(name: string): string | undefined {
    return this.#jar.get(name);
  }

  async #send(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
    const cookie = this.cookieHeader();
    const response = await fetch(this.base + path, {
      method,
      body,
      redirect: "manual",
      headers: { accept: "text/html", ...(cookie ? { cookie } : {}), ...headers },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const deleted = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (deleted) this.#jar.delete(name);
      else this.#jar.set(name, value);
    }
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path} -> ${response.status}: ${text.slice(0, 300)}`);
    return { status: response.status, body: text, headers: response.headers };
  }
}
