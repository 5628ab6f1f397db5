/**
 * The bench's targets: ratios of server CPU time per request, each framework scenario against a
 * floor, a peer, or another framework scenario measured in the same run. A ratio is the base's
 * CPU µs per request over the scenario's (higher is better), worked out within each round, so
 * both sides ran minutes apart at most on the same machine in the same state; the verdict takes
 * the median over the rounds and the spread (min–max) is reported beside it.
 */
export interface RatioTarget {
  id: string;
  text: string;
  /** The framework scenario measured: the denominator. */
  scenario: string;
  /** The scenario it is compared with: the numerator. */
  base: string;
  /** The least ratio that passes; undefined for a ratio that is only reported. */
  min?: number;
}

export const RATIO_TARGETS: RatioTarget[] = [
  { id: "A", text: "(A) api group JSON, /users/:id: F1 / (A)", scenario: "masonite-api-users", base: "floor-router-users", min: 0.85 },
  { id: "B", text: "(B) web group JSON, stores nothing: (A) / (B)", scenario: "masonite-web-users", base: "masonite-api-users", min: 0.9 },
  { id: "C", text: "(C) cookie driver counter: F2 / (C)", scenario: "masonite-cookie", base: "floor-cookie", min: 0.8 },
  { id: "C-koa-session", text: "(C) cookie driver counter: koa-session cookie / (C)", scenario: "masonite-cookie", base: "koa-session-cookie", min: 1.25 },
  { id: "D", text: "(D) redis driver counter: F3 / (D)", scenario: "masonite-redis", base: "floor-redis", min: 0.8 },
  { id: "D-koa-session", text: "(D) redis driver counter: koa-session + ioredis / (D)", scenario: "masonite-redis", base: "koa-session-redis", min: 1.3 },
  { id: "E", text: "(E) redis driver read-only: F3r / (E)", scenario: "masonite-redis-read", base: "floor-redis-read", min: 0.8 },
  // "No regression" has no number of its own: the full page is reported against the cookie counter.
  { id: "F", text: "(F) full page with flash, errors, old(): (C) / (F)", scenario: "masonite-page", base: "masonite-cookie" },
  // What production's optional request log costs: reported, no target.
  { id: "A-logged", text: "(14) api JSON with a request log line: (8) / (14)", scenario: "masonite-api-logged", base: "masonite-api" },
  // The database driver on PostgreSQL against its floor, and the peer reported beside it.
  { id: "G", text: "(G) database driver counter, PostgreSQL: F4 / (G)", scenario: "masonite-database", base: "floor-database", min: 0.8 },
  { id: "G-express-session", text: "(G) database driver counter: express-session + connect-pg-simple / (G)", scenario: "masonite-database", base: "express-session-pg" },
  // SQLite answers in the process, with no server to wait for: reported beside F4, no target.
  { id: "G-sqlite", text: "database driver counter, SQLite file: F4 / (G-sqlite)", scenario: "masonite-database-sqlite", base: "floor-database" },
];

export interface TargetResult {
  id: string;
  text: string;
  scenario?: string;
  base?: string;
  /** The measured value: the median CPU ratio, or a count for the checks that are not ratios. */
  value: number;
  /** The least (or, for counts, the most) value that passes; null when only reported. */
  goal: number | null;
  /** The least and the greatest of the per-round CPU ratios. */
  spread?: { min: number; max: number };
  /** The per-round CPU ratios, in round order. */
  rounds?: number[];
  /** The same comparison by throughput: the median of the scenario's req/s over the base's, per round. */
  rpsRatio?: number;
  /** undefined when the value is only reported. */
  met?: boolean;
}

/** "PASS", "FAIL" or "report", as printed beside a target. */
export function verdict(target: TargetResult): string {
  return target.met === undefined ? "report" : target.met ? "PASS" : "FAIL";
}
