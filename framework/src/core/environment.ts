import { env } from "./env";
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

/**
 * The app's environment: APP_ENV, or when that is unset NODE_ENV, which many hosts set alone
 * (a production deploy with only NODE_ENV=production must get the production guards, not
 * development's route lists), or development. NODE_ENV's "test" is testing; a NODE_ENV naming
 * no environment stops start-up rather than being guessed at.
 */
export function appEnvironment(): Environment {
  const app = env("APP_ENV");
  if (app !== undefined) return environment(app);
  const node = env("NODE_ENV");
  if (node === undefined) return "development";
  try {
    // Test runners' "test" is the framework's testing; the rest is read as APP_ENV would be.
    return environment(node.trim().toLowerCase() === "test" ? "testing" : node);
  } catch {
    throw new ConfigurationError("E_UNKNOWN_NODE_ENV", `APP_ENV is unset and NODE_ENV is ${JSON.stringify(node)}, which is not an environment the framework knows: set APP_ENV to one of ${ENVIRONMENTS.join(", ")}.`);
  }
}
