import { Application, type Kernel } from "../foundation/Application";
import { FrameworkError } from "../core/errors";
import { parseCookies } from "../request/cookies";
import type { Session } from "../sessions/Session";
import { SessionManager } from "../sessions/SessionManager";
import type { StoredData } from "../sessions/SessionStore";
import { CookieJar } from "./CookieJar";
import { TestResponse } from "./TestResponse";

type Body = Record<string, unknown>;
interface RequestOptions { headers?: Record<string, string>; json?: boolean; csrf?: boolean }

/**
 * Masonite's TestCase for Node's test runner: the real app on an ephemeral port, a
 * cookie jar like a browser's, forms sent with the CSRF token, and the session as the
 * next request will see it on every response. Works the same with every driver.
 */
export class TestClient {
  readonly app: Application;
  readonly url: string;
  readonly jar = new CookieJar();
  /** The app's session layer; undefined for an app without SessionProvider. */
  #sessions: SessionManager | undefined;
  #pendingSession: StoredData | undefined;

  private constructor(app: Application, url: string) {
    this.app = app;
    this.url = url;
    this.#sessions = app.container.isRegistered(SessionManager) ? app.container.resolve(SessionManager) : undefined;
  }

  /** Boots the app from its Kernel and listens on a free loopback port. */
  static async start(kernel: Kernel): Promise<TestClient> {
    const app = await Application.create(kernel);
    return new TestClient(app, await app.listen(0));
  }

  /** Another visitor of the same running app, with an empty cookie jar. */
  visitor(): TestClient {
    return new TestClient(this.app, this.url);
  }

  get(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request("GET", path, undefined, options);
  }

  post(path: string, body: Body = {}, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request("POST", path, body, options);
  }

  put(path: string, body: Body = {}, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request("PUT", path, body, options);
  }

  patch(path: string, body: Body = {}, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request("PATCH", path, body, options);
  }

  delete(path: string, body: Body = {}, options: RequestOptions = {}): Promise<TestResponse> {
    return this.request("DELETE", path, body, options);
  }

  /**
   * Sends a request; bodies go as a form (or JSON with `json: true`) carrying the session's
   * CSRF token unless `csrf: false`. Redirects are not followed, so they can be asserted.
   */
  async request(method: string, path: string, body: Body | undefined, options: RequestOptions = {}): Promise<TestResponse> {
    await this.#applyPendingSession();
    const headers: Record<string, string> = { accept: "text/html", ...options.headers };
    // A browser sends the page a form came from; a path is taken as a page of this app.
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() === "referer" && value.startsWith("/")) headers[name] = this.url + value;
    }
    let payload: string | undefined;
    if (body !== undefined) {
      const withToken = options.csrf === false ? body : { __token: await this.csrfToken(), ...body };
      if (options.json) {
        headers["content-type"] = "application/json";
        payload = JSON.stringify(withToken);
      } else {
        headers["content-type"] = "application/x-www-form-urlencoded";
        payload = new URLSearchParams(flatten(withToken)).toString();
      }
    }
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    const response = await fetch(this.url + path, { method, headers, body: payload, redirect: "manual" });
    this.jar.store(response.headers.getSetCookie());
    const text = await response.text();
    return new TestResponse(response.status, response.headers, text, await this.session().catch((error: Error) => error));
  }

  /**
   * Puts data into this visitor's session, as an earlier request would have, before the
   * next request: `client.withSession({ user: 1 }).get("/")`. Awaiting it also works.
   */
  withSession(data: StoredData): this {
    this.#pendingSession = { ...this.#pendingSession, ...data };
    return this;
  }

  /** The session's CSRF token, created (and stored) if the session has none yet. */
  async csrfToken(): Promise<string> {
    await this.#applyPendingSession();
    let token = "";
    await this.#changeSession((session) => {
      token = session.token();
    });
    return token;
  }

  /** The stored session data as the next request will load it, internal keys included. */
  async session(): Promise<StoredData> {
    await this.#applyPendingSession();
    const loaded = await this.#manager().load(parseCookies(this.jar.header()));
    return { ...(loaded?.data ?? {}) };
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  async #applyPendingSession(): Promise<void> {
    const data = this.#pendingSession;
    if (!data) return;
    this.#pendingSession = undefined;
    await this.#changeSession((session) => {
      for (const [key, value] of Object.entries(data)) session.set(key, value);
    });
  }

  async #changeSession(change: (session: Session<StoredData>) => void): Promise<void> {
    const cookies = parseCookies(this.jar.header());
    const session = await this.#manager().start(cookies);
    // Seeds are raw data under any key, which the app's declared (maybe strict) types would refuse.
    change(session as unknown as Session<StoredData>);
    this.jar.store(await this.#manager().commit(session, cookies, { ageFlash: false }));
  }

  #manager(): SessionManager {
    if (this.#sessions) return this.#sessions;
    throw new FrameworkError("E_NO_SESSION", "This app has no sessions (its Kernel lists no SessionProvider), so the test client has no session to read or seed.");
  }
}

/** Nested objects as form fields (`a[b]=1`), the way qs reads them back. */
function flatten(body: Body, prefix = ""): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(body)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (value && typeof value === "object") pairs.push(...flatten(value as Body, name));
    else if (value !== undefined) pairs.push([name, String(value)]);
  }
  return pairs;
}
