import { ConfigurationError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { SESSION_DEFAULTS, type RedisDriverConfig } from "../config";
import { duration } from "../configChecks";
import type { RedisStoreOptions } from "./redis";

// The redis driver's settings, read without loading ioredis: config/session.ts parses its
// Sentinel and Cluster addresses here, and the driver registry checks its block here.

/** Parses "host:port,host:port" (REDIS_SENTINELS, REDIS_CLUSTER) into ioredis node addresses. */
export function redisNodes(list: string, defaultPort = 6379): { host: string; port: number }[] {
  return list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const at = item.lastIndexOf(":");
      const host = at > 0 ? item.slice(0, at) : item;
      const port = at > 0 ? Number(item.slice(at + 1)) : defaultPort;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: "${item}" is not a host:port address.`);
      }
      return { host: host.replace(/^\[|\]$/g, ""), port };
    });
}

/** The redis store's options from DRIVERS.redis, or the setting that is missing and how to give it. */
export function redisStoreOptions(config: RedisDriverConfig, logger: Logger): RedisStoreOptions {
  if (!config.url && !config.host && !config.cluster?.length && !config.options?.sentinels?.length) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", "config/session.ts: DRIVERS.redis needs a host (and port), a url, options.sentinels (with options.name) or cluster nodes.");
  }
  if (config.options?.sentinels?.length && !config.options.name) {
    throw new ConfigurationError("E_BAD_SESSION_CONFIG", 'config/session.ts: DRIVERS.redis.options.sentinels needs options.name, the master group the sentinels monitor (e.g. "mymaster").');
  }
  return {
    url: config.url || undefined,
    host: config.host ?? "127.0.0.1",
    port: config.port ?? 6379,
    password: config.password,
    options: config.options ?? {},
    cluster: config.cluster?.length ? config.cluster : undefined,
    clusterOptions: config.clusterOptions,
    namespace: config.namespace ?? SESSION_DEFAULTS.redisNamespace,
    commandTimeout: duration(config.commandTimeout, "DRIVERS.redis.commandTimeout", "milliseconds") ?? SESSION_DEFAULTS.redisCommandTimeout,
    logger,
  };
}
