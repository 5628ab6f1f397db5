/**
 * Issue 14's targets: each framework scenario's requests/s as a ratio to a floor (or a peer)
 * measured in the same run. The ratio is the median of the per-round ratios, so both sides
 * of it ran minutes apart at most, on the same machine in the same state.
 */
export interface RatioTarget {
  id: string;
  text: string;
  /** The framework scenario measured. */
  scenario: string;
  /** The scenario it is divided by. */
  base: string;
  /** The least ratio that passes; undefined for a ratio that is only reported. */
  min?: number;
}

export const RATIO_TARGETS: RatioTarget[] = [
  { id: "A", text: "(A) routed JSON, api group (no session) / F1", scenario: "masonite-api", base: "floor-router", min: 0.85 },
  { id: "B", text: "(B) routed JSON, web group, fresh visitor / F1", scenario: "masonite-web-fresh", base: "floor-router", min: 0.75 },
  { id: "C", text: "(C) cookie driver counter / F2", scenario: "masonite-cookie", base: "floor-cookie", min: 0.75 },
  { id: "D", text: "(D) redis driver counter / F3", scenario: "masonite-redis", base: "floor-redis", min: 0.8 },
  { id: "D-koa-session", text: "(D) redis driver counter / koa-session + ioredis", scenario: "masonite-redis", base: "koa-session-redis", min: 1.5 },
  { id: "E", text: "(E) redis driver read-only / bare Koa", scenario: "masonite-redis-read", base: "koa", min: 0.65 },
  // "No regression": against the committed run before issue 14 (2026-11-26), where (6) was 0.19x bare Koa.
  { id: "F", text: "(F) full page / bare Koa (0.19x before issue 14)", scenario: "masonite-page", base: "koa", min: 0.19 },
  { id: "F-vs-C", text: "(F) full page / (C) cookie driver counter", scenario: "masonite-page", base: "masonite-cookie" },
  // What production's optional request log costs (issue 15): reported, no target.
  { id: "A-logged", text: "(A) with a request log line / (A) without", scenario: "masonite-api-logged", base: "masonite-api" },
];

export interface TargetResult {
  id: string;
  text: string;
  scenario?: string;
  base?: string;
  /** The measured value: a ratio, or a count for the checks that are not ratios. */
  value: number;
  /** The least (or, for counts, the most) value that passes; null when only reported. */
  goal: number | null;
  /** Server CPU µs per request of the base over the scenario's: the same ratio by cost, which the share of the cores the load generator takes does not move. */
  cpuRatio?: number;
  /** undefined when the value is only reported. */
  met?: boolean;
}

/** "PASS", "FAIL" or "report", as printed beside a target. */
export function verdict(target: TargetResult): string {
  return target.met === undefined ? "report" : target.met ? "PASS" : "FAIL";
}
