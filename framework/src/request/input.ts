type Input = Record<string, unknown>;

/** Keys that must never be copied into plain objects built from user input. */
export const POISONED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * User input as plain JSON-safe data: prototype-polluting keys removed, null-prototype
 * objects. Its depth is bounded already: bodies are read within the InputLimits, and the
 * query string is flat.
 */
export function cleanInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanInput);
  if (value && typeof value === "object") {
    const out: Input = Object.create(null);
    for (const [key, v] of Object.entries(value)) {
      if (!POISONED_KEYS.has(key)) out[key] = cleanInput(v);
    }
    return out;
  }
  return value;
}

