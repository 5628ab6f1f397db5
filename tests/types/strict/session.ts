// Strict mode: a key SessionData does not declare is a compile error in every method.
// Each `@ts-expect-error` line must not compile; tsc fails if one does.
import { Session, type DeclareInSessionData, type SessionData, type UndeclaredKey } from "masonite/sessions";
import { exactly } from "../equal";

declare module "masonite/sessions" {
  interface SessionData {
    user_id: string;
    visits: number;
  }
  interface SessionTypes {
    strict: true;
  }
}

declare const session: Session;

// Declared keys, the framework's included, work as without strict mode.
const user = session.get("user_id");
exactly<typeof user, string | undefined>(true);
session.set("user_id", "u1").flash("success", "Saved").increment("visits");
session.flash({ user_id: "u2" });
const present: boolean = session.has("user_id");
session.delete("user_id");
const visits = session.pull("visits");
exactly<typeof visits, number | undefined>(true);

// @ts-expect-error undeclared
session.get("notice");
// @ts-expect-error undeclared, even with a type named
session.get<string>("notice");
// @ts-expect-error undeclared
session.get("notice", "");
// @ts-expect-error undeclared
session.set("notice", "hi");
// @ts-expect-error undeclared
session.flash("notice", "hi");
// @ts-expect-error undeclared
session.flash({ notice: "hi" });
// @ts-expect-error undeclared
session.pull("notice");
// @ts-expect-error undeclared
session.has("notice");
// @ts-expect-error undeclared
session.delete("notice");
// @ts-expect-error undeclared
session.increment("counter");
declare const dynamic: string;
// @ts-expect-error a dynamic key may be anything, so it is refused too
session.set(dynamic, 1);

// all() has the declared keys only.
const everything = session.all();
exactly<typeof everything.user_id, string | undefined>(true);
// @ts-expect-error undeclared
void everything.notice;

// The refusal names its fix: an undeclared key meets DeclareInSessionData, whose name and only
// property tell the reader to declare the key (tests/unit/sessions/strictKeyMessage.test.ts reads tsc's words).
exactly<UndeclaredKey<"notice", SessionData>, DeclareInSessionData<"notice">>(true);
exactly<UndeclaredKey<"user_id", SessionData>, never>(true);

export { present };
