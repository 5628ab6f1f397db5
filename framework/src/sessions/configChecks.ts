import { ConfigurationError } from "../core/errors";
import type { SessionDrivers } from "./config";
import { isReserved } from "./keys";
import type { SessionSchema } from "./SessionData";

// The start-up checks of config/session.ts's values: each refusal names the setting and the fix.

/** A setting that counts something: undefined (use the default) or a positive whole number of `unit`. */
export function positiveWhole(value: unknown, what: string, unit: "seconds" | "bytes" | "sessions" | "connections"): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${what} must be a positive whole number of ${unit}, got ${JSON.stringify(value)}.`);
  }
  return value as number;
}

/** A duration setting: undefined (use the default) or a positive finite number of `unit`. */
export function duration(value: unknown, what: string, unit: "seconds" | "milliseconds"): number | undefined {
  // Whole seconds: Redis's EXPIRE takes nothing else, and a fraction would fail every request there.
  if (unit === "seconds") return positiveWhole(value, what, "seconds");
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: ${what} must be a positive number of milliseconds, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function sessionSchema(value: unknown): SessionSchema | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", "config/session.ts: SCHEMA must be an object of zod schemas by session key, such as defineSchema({ user_id: z.string() }).");
  }
  for (const [key, schema] of Object.entries(value)) {
    if (isReserved(key)) {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: SCHEMA.${key} names a reserved key (the framework's own keys start with "__"); check only keys the app stores.`);
    }
    if (typeof (schema as { safeParse?: unknown } | null)?.safeParse !== "function") {
      throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: SCHEMA.${key} must be a schema with safeParse(), such as z.string() from zod.`);
    }
  }
  return value as SessionSchema;
}

/** Edits (insert, delete, substitute, case aside) from `a` to `b`. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[y.length]!;
}

/**
 * Refuses an option a built-in driver's block does not take, in every block DRIVERS holds (not
 * only the chosen one: switching SESSION_DRIVER must not reveal a typo later). TypeScript
 * catches it in a config written with defineDrivers; this catches the rest (plain JavaScript,
 * a cast, a spread of something untyped). A block with its own `driver` factory is custom.
 */
export function checkDriverOptions(drivers: SessionDrivers, optionsByDriver: Readonly<Record<string, readonly string[]>>): void {
  for (const [name, options] of Object.entries(optionsByDriver)) {
    const block = drivers[name];
    if (block === undefined || block === null || typeof block !== "object" || typeof (block as { driver?: unknown }).driver === "function") continue;
    for (const option of Object.keys(block)) {
      if (options.includes(option)) continue;
      const closest = options.reduce((best, candidate) => (distance(option, candidate) < distance(option, best) ? candidate : best));
      throw new ConfigurationError(
        "E_UNKNOWN_SESSION_OPTION",
        `config/session.ts: DRIVERS.${name}.${option} is not an option of the ${name} driver (did you mean ${closest}?): rename or remove it; the ${name} driver takes ${options.join(", ")}.`,
      );
    }
  }
}

