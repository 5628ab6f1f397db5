import { ConfigurationError } from "./errors";

/** The values APP_ENV may take. */
export const ENVIRONMENTS = ["development", "production", "testing"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * APP_ENV as the framework compares it: trimmed and lower-cased, so that " Production" gets
 * the production guards rather than slipping past them. Any other value stops start-up,
 * since guessing which environment was meant could switch the guards off.
 */
export function environment(value: string): Environment {
  const normal = value.trim().toLowerCase();
  if ((ENVIRONMENTS as readonly string[]).includes(normal)) return normal as Environment;
  throw new ConfigurationError("E_UNKNOWN_APP_ENV", `APP_ENV is ${JSON.stringify(value)}, which is not an environment the framework knows: set it to one of ${ENVIRONMENTS.join(", ")}.`);
}
