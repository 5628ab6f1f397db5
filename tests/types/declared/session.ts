// The rules of typed session data, for an app that declares some keys (strict mode off).
// Each `@ts-expect-error` line must not compile; tsc fails if one does.
import { defineSchema, Session, type StoredData } from "masonite/sessions";
import { z } from "zod";
import { exactly } from "../equal";

type Cart = { sku: string; qty: number }[];

declare module "masonite/sessions" {
  interface SessionData {
    user_id: string;
    cart: Cart;
    visits: number;
    nickname?: string;
  }
}

declare const session: Session;

// get: a declared key has its declared type, `undefined` until stored; a fallback drops the `undefined`.
const cart = session.get("cart");
exactly<typeof cart, Cart | undefined>(true);
const cartOrEmpty = session.get("cart", []);
exactly<typeof cartOrEmpty, Cart>(true);
const nickname = session.get("nickname", "anonymous");
exactly<typeof nickname, string>(true);
// @ts-expect-error the fallback must be the declared type
session.get("cart", "oops");
// @ts-expect-error naming a type does not override a declared key's own
session.get<number, "cart">("cart");

// get: an undeclared key is `unknown`, or the type the caller names.
const notice = session.get("notice");
exactly<typeof notice, unknown>(true);
const typedNotice = session.get<string>("notice");
exactly<typeof typedNotice, string | undefined>(true);
const noticeOrEmpty = session.get("notice", "");
exactly<typeof noticeOrEmpty, string>(true);
const countOrZero = session.get("count", 0);
exactly<typeof countOrZero, number>(true);

// The framework's own flashed keys are declared for every app.
const success = session.get("success");
exactly<typeof success, string | undefined>(true);
const errors = session.get("errors");
exactly<typeof errors, Record<string, string[]> | undefined>(true);
// @ts-expect-error success is the framework's, and a string
session.flash("success", 5);

// set and flash take a declared key's type only; undeclared keys take anything.
session.set("cart", [{ sku: "book", qty: 1 }]).set("user_id", "u1").set("notice", { any: "thing" });
// @ts-expect-error cart is an array of items
session.set("cart", "oops");
// @ts-expect-error an item needs qty
session.set("cart", [{ sku: "book" }]);
// @ts-expect-error a declared key cannot be set to undefined (delete it)
session.set("user_id", undefined);
session.flash("user_id", "u2").flash("notice", 5);
// @ts-expect-error user_id is a string
session.flash("user_id", 5);
session.flash({ user_id: "u3", notice: "anything" });
// @ts-expect-error user_id is a string in the object form too
session.flash({ user_id: 5 });

// increment and decrement: a key declared a number, or an undeclared key.
const visits = session.increment("visits");
exactly<typeof visits, number>(true);
session.decrement("visits", 2);
session.increment("undeclared_counter");
// @ts-expect-error cart is not a number
session.increment("cart");
// @ts-expect-error user_id is not a number
session.decrement("user_id");

// pull follows get; has and delete take any key outside strict mode.
const pulled = session.pull("cart");
exactly<typeof pulled, Cart | undefined>(true);
const pulledOrEmpty = session.pull("cart", []);
exactly<typeof pulledOrEmpty, Cart>(true);
const pulledNotice = session.pull<string>("notice");
exactly<typeof pulledNotice, string | undefined>(true);
// @ts-expect-error the fallback must be the declared type
session.pull("cart", 5);
const present: boolean = session.has("cart") && session.has("notice");
session.delete("cart").delete("notice");

// all(): declared keys typed and optional, the rest `unknown`.
const everything = session.all();
exactly<typeof everything.cart, Cart | undefined>(true);
exactly<typeof everything.notice, unknown>(true);
// @ts-expect-error a declared key read from all() may be missing
const sure: Cart = everything.cart;

// A dynamic key is an undeclared key.
declare const dynamic: string;
session.set(dynamic, 1);
const dynamicValue = session.get(dynamic);
exactly<typeof dynamicValue, unknown>(true);

// Session<StoredData> is the untyped view, for code that handles any key.
declare const untyped: Session<StoredData>;
untyped.set("cart", "anything");

// defineSchema: one schema per declared key, whose output is the declared type.
export const SCHEMA = defineSchema({ user_id: z.string(), cart: z.array(z.object({ sku: z.string(), qty: z.number() })) });
// @ts-expect-error user_id is declared a string
defineSchema({ user_id: z.number() });
// @ts-expect-error only declared keys have a schema
defineSchema({ notice: z.string() });

export { present, sure };
