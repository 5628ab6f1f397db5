import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Route } from "masonite/routes";
import { Session } from "masonite/sessions";

/** What the built-in prototypes looked like when the app started, to detect pollution later. */
const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype } as const;
const BASELINE = Object.fromEntries(Object.entries(PROTOTYPES).map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort().join(",")]));

/** Names of prototypes that gained or lost properties since start-up, plus what a fresh object inherits. */
export function pollution(): string[] {
  const found: string[] = [];
  for (const [name, proto] of Object.entries(PROTOTYPES)) {
    if (Reflect.ownKeys(proto).map(String).sort().join(",") !== BASELINE[name]) found.push(`${name}.prototype changed: ${Reflect.ownKeys(proto).map(String).filter((k) => !BASELINE[name]!.split(",").includes(k)).join(",")}`);
  }
  const fresh = {} as Record<string, unknown>;
  for (const key of ["polluted", "isAdmin", "x"]) if (fresh[key] !== undefined) found.push(`{}.${key} is ${JSON.stringify(fresh[key])}`);
  return found;
}

/**
 * Test-only routes for the reliability tests, served by tests/support/server.ts in a child
 * process. The GET routes that write are test conveniences (no CSRF needed for load).
 */
export class ReliabilityProbe extends Controller {
  /** Read-only: whose session this cookie opens, and what it holds (nothing is written). */
  @inject()
  whoami(session: Session) {
    return { owner: session.get("owner") ?? null, isNew: session.isNew, keys: Object.keys(session.all()) };
  }

  /** Makes this session someone's: a victim for the hostile-cookie tests. */
  @inject()
  claim(request: Request, session: Session) {
    session.set("owner", String(request.input("owner", "")));
    const pad = Number(request.input("pad", "0"));
    if (pad > 0) session.set("pad", "p".repeat(pad));
    return { id: session.id };
  }

  /** One acknowledged write per request, under a field of its own, so lost writes can be counted. */
  @inject()
  write(request: Request, session: Session) {
    const field = `w${String(request.input("n", "0"))}`;
    session.set(field, 1);
    return { ok: true, field };
  }

  @inject()
  incr(session: Session) {
    return { n: session.increment("n") };
  }

  /** A request that takes its time, then writes: for shutdown during in-flight work. */
  @inject()
  async slow(request: Request, session: Session) {
    await new Promise((resolve) => setTimeout(resolve, Number(request.input("ms", "500"))));
    const field = `s${String(request.input("n", "0"))}`;
    session.set(field, 1);
    return { ok: true, field };
  }

  @inject()
  token(session: Session) {
    return { token: session.token() };
  }

  /** Stores the request's input in the session: hostile keys must be gone by then. */
  @inject()
  input(request: Request, session: Session) {
    const input = request.all();
    session.set("input", input);
    return { stored: session.get("input"), pollution: pollution() };
  }

  /** Reads, copies and re-stores whatever the session holds (planted values included). */
  @inject()
  touch(session: Session) {
    const all = session.all();
    for (const [key, value] of Object.entries(all)) if (!key.startsWith("_")) session.get(key, value);
    session.set("touched", true);
    return { keys: Object.keys(all), protoOfAll: Object.getPrototypeOf(all) === Object.prototype, pollution: pollution() };
  }

  @inject()
  regenerate(session: Session) {
    session.regenerate();
    session.set("regenerated", true);
    return { id: session.id };
  }

  /** How the app sees the request's origin: X-Forwarded-* must count only with TRUST_PROXY=true. */
  @inject()
  origin(request: Request) {
    const ctx = request.ctx;
    return { protocol: ctx.protocol, secure: ctx.secure, host: ctx.host, ip: ctx.ip };
  }

  /** Process facts: pid, memory after a full GC (with --expose-gc), prototype pollution. */
  @inject()
  health(request: Request) {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (request.input("gc") && gc) {
      gc();
      gc();
    }
    const memory = process.memoryUsage();
    return { pid: process.pid, heapUsed: memory.heapUsed, rss: memory.rss, pollution: pollution() };
  }
}

export const RELIABILITY_ROUTES = [
  Route.get("/_rel/whoami", [ReliabilityProbe, "whoami"]),
  Route.get("/_rel/claim", [ReliabilityProbe, "claim"]),
  Route.get("/_rel/write", [ReliabilityProbe, "write"]),
  Route.get("/_rel/incr", [ReliabilityProbe, "incr"]),
  Route.get("/_rel/slow", [ReliabilityProbe, "slow"]),
  Route.get("/_rel/token", [ReliabilityProbe, "token"]),
  Route.post("/_rel/input", [ReliabilityProbe, "input"]),
  Route.get("/_rel/touch", [ReliabilityProbe, "touch"]),
  Route.get("/_rel/regenerate", [ReliabilityProbe, "regenerate"]),
  Route.get("/_rel/origin", [ReliabilityProbe, "origin"]),
  Route.get("/_rel/health", [ReliabilityProbe, "health"]),
];
