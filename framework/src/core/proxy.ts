import { ConfigurationError } from "./errors";

const FIX = "set TRUST_PROXY to the number of reverse proxies in front of the app that append to X-Forwarded-For (1 for one nginx), or 0 when clients reach the app directly";

/**
 * TRUST_PROXY as a hop count: how many proxies of the app's own append to X-Forwarded-For, so
 * the client's address is that many entries from the right. `true` (trust every hop) is
 * refused: it takes the leftmost entry, which any client can write itself.
 */
export function proxyHops(value: string | number | boolean | undefined): number {
  if (value === undefined || value === false || (typeof value === "string" && value.trim().toLowerCase() === "false")) return 0;
  const hops = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof hops === "number" && Number.isSafeInteger(hops) && hops >= 0) return hops;
  throw new ConfigurationError(
    "E_BAD_TRUST_PROXY",
    value === true || (typeof value === "string" && value.trim().toLowerCase() === "true")
      ? `TRUST_PROXY is true, which would take the client's address from the leftmost X-Forwarded-For entry, one any client can forge: ${FIX}.`
      : `TRUST_PROXY is ${JSON.stringify(value)}, which is not a number of proxies: ${FIX}.`,
  );
}
