export { env, loadEnvironment } from "./env";
export { ENVIRONMENTS, appEnvironment, environment, type Environment } from "./environment";
export { proxyHops } from "./proxy";
export { FrameworkError, ConfigurationError, sentence } from "./errors";
export { Logger, LOG_LEVELS, logDefaults, setLogDestination, type LogLevel, type LogSettings } from "./logger";
export { Provider, type ProviderClass } from "./Provider";
export { parseByteSize } from "./bytes";
