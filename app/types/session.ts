// The session's shape, declared once for the whole app: a declared key is typed in every
// Session method (`session.get("cart")`, `session.set(...)`, `flash`, `pull`, `increment` ...),
// and any other key stays `unknown` unless `SessionTypes` turns strict mode on. config/session.ts
// can add a zod schema per declared key (SCHEMA) that checks stored values when they are read.
// Uncomment and edit:
//
// declare module "masonite/sessions" {
//   interface SessionData {
//     user_id: string;
//     cart: { sku: string; qty: number }[];
//   }
//   // Strict mode: every key SessionData does not declare is a compile error (flash keys too).
//   interface SessionTypes {
//     strict: true;
//   }
// }

export {};
