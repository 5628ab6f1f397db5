import { inject } from "masonite/container";
import { Controller } from "masonite/controllers";
import { Request } from "masonite/request";
import { Response } from "masonite/response";
import { Route } from "masonite/routes";
import { Session } from "masonite/sessions";

const circular: Record<string, unknown> = {};
circular.self = circular;
/** Values JSON cannot carry; JSON requests cannot send them, so the lab builds them. */
const UNSTORABLE: Record<string, unknown> = {
  function: () => 1,
  bigint: 10n,
  circular,
  undefined: undefined,
  date: new Date(0),
  map: new Map(),
  nan: Number.NaN,
  nested: { deep: [1, { fn: () => 2 }] },
};

type Op = { op: string; key?: string; value?: unknown; keys?: string[]; by?: number };

/**
 * A test-only controller that runs a list of Session calls sent as JSON and answers
 * with what each returned, so the Session API is exercised through real HTTP.
 */
export class SessionLabController extends Controller {
  @inject()
  async run(request: Request, session: Session) {
    const results: unknown[] = [];
    for (const op of request.input<Op[]>("ops", [])) {
      if (op.op === "pause") {
        // Holds the request between its session's load and commit, for races the test sets up.
        await new Promise((resolve) => setTimeout(resolve, Number(op.value)));
        results.push(null);
        continue;
      }
      results.push(this.#apply(session, op));
    }
    return { results, id: session.id };
  }

  #apply(session: Session, op: Op): unknown {
    try {
      switch (op.op) {
        case "set": return session.set(op.key!, op.value) && null;
        case "get": return session.get(op.key!, op.value);
        case "has": return session.has(op.key!);
        case "delete": return session.delete(op.key!) && null;
        case "pull": return session.pull(op.key!, op.value);
        case "flash": return (op.key ? session.flash(op.key, op.value) : session.flash(op.value as Record<string, unknown>)) && null;
        case "all": return session.all();
        case "flush": return session.flush() && null;
        case "increment": return session.increment(op.key!, op.by);
        case "decrement": return session.decrement(op.key!, op.by);
        case "reflash": return session.reflash() && null;
        case "keep": return session.keep(...(op.keys ?? [])) && null;
        case "regenerate": return session.regenerate() && null;
        case "invalidate": return session.invalidate() && null;
        case "id": return session.id;
        case "token": return session.token();
        case "setUnstorable": return session.set(op.key!, UNSTORABLE[op.value as string]) && null;
        case "flashUnstorable": return session.flash(op.key!, UNSTORABLE[op.value as string]) && null;
        default: return { error: `unknown op ${op.op}` };
      }
    } catch (error) {
      return { error: (error as Error).name, message: (error as Error).message };
    }
  }

  /** Read-only: what a given cookie unlocks, without writing anything. */
  @inject()
  all(session: Session) {
    return { all: session.all(), id: session.id };
  }

  @inject()
  setBig(request: Request, response: Response, session: Session) {
    session.set("big", "x".repeat(Number(request.input("bytes", "0"))));
    return response.json({ ok: true });
  }
}

export const LAB_ROUTES = [
  Route.post("/_lab", [SessionLabController, "run"]),
  Route.post("/_lab/big", [SessionLabController, "setBig"]),
  Route.get("/_lab/all", [SessionLabController, "all"]),
];
