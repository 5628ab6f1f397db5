// defineDrivers: each built-in block takes only its own options, also beside valid ones.
import { defineDrivers } from "masonite/sessions";
import { exactly } from "../equal";

// The seed's redis block (config/session.py), as written there.
const seed = defineDrivers({
  default: "redis",
  redis: { host: "127.0.0.1", port: 6379, password: "", options: { db: 1 }, timeout: 60 * 60, namespace: "masonite4" },
  file: { directory: "storage/framework/sessions", timeout: 600 },
  memory: { timeout: 60 },
  cookie: { maxSize: 4096, timeout: 1800 },
});
exactly<typeof seed.redis.timeout, number>(true);

// A custom store's block takes its own options.
defineDrivers({ default: "map", map: { driver: () => ({ read: async () => undefined, write: async () => {}, destroy: async () => {} }), shards: 4 } });

defineDrivers({
  default: "redis",
  // @ts-expect-error: "namespce" is not a redis option, though host beside it is
  redis: { host: "127.0.0.1", namespce: "x" },
});
defineDrivers({
  default: "cookie",
  // @ts-expect-error: the file driver takes "directory"
  file: { directry: "storage/sessions", maxSize: 1024 },
});
defineDrivers({
  default: "cookie",
  // @ts-expect-error: "max_size" is not a memory option
  memory: { timeout: 60, max_size: 10 },
});
defineDrivers({
  default: "cookie",
  // @ts-expect-error: "secure" belongs to COOKIE, not to the cookie driver's block
  cookie: { maxSize: 4096, secure: true },
});
