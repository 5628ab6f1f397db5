const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "64kb", "1mb", "512" -> bytes, as the body parser reads BODY_LIMIT; undefined when it cannot tell. */
export function parseByteSize(limit: string | number): number | undefined {
  if (typeof limit === "number") return limit;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  return match ? Math.floor(Number(match[1]) * UNITS[(match[2] ?? "b").toLowerCase()]!) : undefined;
}
