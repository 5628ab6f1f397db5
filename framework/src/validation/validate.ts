import type { z } from "zod";
import { MessageBag } from "./MessageBag";

export type ValidationResult<T> = { ok: true; data: T; errors: MessageBag } | { ok: false; data?: undefined; errors: MessageBag };

/**
 * Runs a zod schema over input and turns its issues into a message bag keyed by the
 * field path (`"address.city"`). User input never makes it throw.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data, errors: new MessageBag() };
  const errors = new MessageBag();
  for (const issue of result.error.issues) errors.add(issue.path.map(String).join("."), issue.message);
  return { ok: false, errors };
}
