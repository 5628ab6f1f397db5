export { env, loadEnvironment } from "./env";
export { ENVIRONMENTS, environment, type Environment } from "./environment";
export { FrameworkError, ConfigurationError, sentence } from "./errors";
export { Logger, LOG_LEVELS, logDefaults, setLogDestination, type LogLevel, type LogSettings } from "./logger";
export { Provider, type ProviderClass } from "./Provider";
export { parseByteSize } from "./bytes";
