export { env, loadEnvironment } from "./env";
export { ENVIRONMENTS, environment, type Environment } from "./environment";
export { FrameworkError, ConfigurationError, sentence } from "./errors";
export { Logger, type LogLevel } from "./logger";
export { Provider, type ProviderClass } from "./Provider";
export { parseByteSize } from "./bytes";
