export { Application, type Kernel } from "./Application";
export { env, loadEnvironment } from "./env";
export { ENVIRONMENTS, environment, type Environment } from "./environment";
export { FrameworkError, ConfigurationError } from "./errors";
export { Logger } from "./logger";
export { Provider, type ProviderClass } from "./Provider";
export type { AppConfig, AppSettings, SecuritySettings } from "./config";
