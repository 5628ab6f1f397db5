import Redis, { Cluster, type ClusterOptions, type RedisOptions, type Result } from "ioredis";
import { ConfigurationError, FrameworkError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { SessionConflict, SessionStoreUnavailable } from "../errors";
import { CLIENT_KEY, CREATED_FIELD } from "../keys";
import { Deadlines, NoAnswer } from "./deadlines";
import type { LoadedSession, OwnedSession, StoredData, SessionPatch, SessionRecord, SessionStore, WriteOptions } from "../SessionStore";

export interface RedisStoreOptions {
  /** `redis://` URL; when set it replaces host/port/password. */
  url?: string;
  host: string;
  port: number;
  password?: string;
  /**
   * Passed to ioredis as they are (db, username, tls ...). Sentinel is configured here too:
   * `{ sentinels: [{ host, port }, ...], name: "mymaster" }` makes ioredis ask the sentinels
   * for the current master, and find the new one after a failover; host/port are then unused.
   */
  options: RedisOptions;
  /** Redis Cluster seed nodes: when given, the driver talks to the cluster (ioredis Cluster); url/host/port are unused. */
  cluster?: { host: string; port: number }[];
  /** ioredis ClusterOptions (natMap, slotsRefreshTimeout ...); each node connection takes `options`. */
  clusterOptions?: ClusterOptions;
  namespace: string;
  /** Milliseconds a request waits for Redis before it answers 503. */
  commandTimeout: number;
  logger: Logger;
}

/**
 * Loading: the hash, and its idle expiry slid forward, in one round trip. A key that holds
 * something other than a hash answers nil instead of an error. The client metadata stays in
 * Redis: only the listing shows it, and a rewrite in place keeps it (COMMIT_SCRIPT), so a
 * request neither carries it over the socket nor parses it.
 */
const LOAD_SCRIPT = `
local fields = redis.pcall('HGETALL', KEYS[1])
if fields.err then return false end
if #fields == 0 then return fields end
redis.call('EXPIRE', KEYS[1], ARGV[1])
local loaded = {}
for i = 1, #fields, 2 do
  if fields[i] ~= '${CLIENT_KEY}' then
    loaded[#loaded + 1] = fields[i]
    loaded[#loaded + 1] = fields[i + 1]
  end
end
return loaded`;

/** Listing: the hash and its remaining idle time, without sliding it; nil for a key that is not a hash. */
const PEEK_SCRIPT = `
local fields = redis.pcall('HGETALL', KEYS[1])
if fields.err then return false end
return {redis.call('PTTL', KEYS[1]), fields}`;

/**
 * Committing one request's changes to one hash, atomically. ARGV: idle timeout, the mode ("0":
 * change the hash, "1": replace it, "2": replace it keeping its client metadata unless the
 * pairs set it; all but "1" only while the hash exists, else the script answers 0 and writes
 * nothing, index included), the number of increments, the
 * number of deleted fields, then the increments as field/delta pairs, the deleted fields, and
 * the fields to set as field/JSON pairs. With a second key (the owner's index, a sorted set),
 * the session's id and creation time come before the pairs, and the id joins the index in the
 * same commit.
 * Every increment is checked before anything is written: a field that no longer holds a number
 * refuses the whole commit, which changes nothing and answers that field's name instead of 1.
 */
const COMMIT_SCRIPT = `
local key = KEYS[1]
local increments, deletions = tonumber(ARGV[3]), tonumber(ARGV[4])
local first_pair = KEYS[2] and 7 or 5
local function integer(text) return string.match(text, '^-?%d+$') ~= nil end
if ARGV[2] ~= '1' and redis.call('EXISTS', key) == 0 then return 0 end
local current = {}
for n = 0, increments - 1 do
  local field = ARGV[first_pair + 2 * n]
  local value = redis.call('HGET', key, field)
  if value and not tonumber(value) then return field end
  current[n] = value
end
if ARGV[2] ~= '0' then
  local client = ARGV[2] == '2' and redis.call('HGET', key, '${CLIENT_KEY}')
  redis.call('UNLINK', key)
  if client then redis.call('HSET', key, '${CLIENT_KEY}', client) end
end
for n = 0, increments - 1 do
  local field, by = ARGV[first_pair + 2 * n], ARGV[first_pair + 1 + 2 * n]
  if integer(by) and (not current[n] or integer(current[n])) then redis.call('HINCRBY', key, field, by)
  else redis.call('HINCRBYFLOAT', key, field, by) end
end
local first = first_pair + 2 * increments
local function each(from, to, command)
  for start = from, to, 1000 do redis.call(command, key, unpack(ARGV, start, math.min(start + 999, to))) end
end
each(first, first + deletions - 1, 'HDEL')
each(first + deletions, #ARGV, 'HSET')
redis.call('EXPIRE', key, ARGV[1])
if KEYS[2] then redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5]) end
return 1`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    loadSession(key: string, timeout: number): Result<string[] | null, Context>;
    peekSession(key: string): Result<[number, string[]] | null, Context>;
    commitSession(key: string, timeout: number, ...args: string[]): Result<0 | 1 | string, Context>;
    commitIndexedSession(key: string, index: string, timeout: number, ...args: string[]): Result<0 | 1 | string, Context>;
  }
}

/**
 * A session's decoded fields: an object with no inherited names (a field called "constructor"
 * or "__proto__" is data), as Object.create(null) gives, but one V8 keeps in its fast form,
 * where Object.create(null) starts as a dictionary, slower to fill and to read on every request.
 */
const SessionFields = function SessionFields() {} as unknown as { new (): StoredData; prototype: object };
SessionFields.prototype = Object.create(null);

/** A connection silent this long (at least; 5 command timeouts if longer) is dropped and made again. */
const RECONNECT_AFTER_MS = 5000;

/** Redis did not answer within the command timeout. */
/** Our own timeout, or ioredis's "Command timed out" (an app may still set commandTimeout in `options`). */
function isNoAnswer(error: unknown): boolean {
  return error instanceof NoAnswer || /timed out/i.test((error as Error)?.message ?? "");
}

/**
 * One Redis hash per session, `<namespace>:session:<id>`, each session key a field
 * holding JSON. Loading is one script call (HGETALL, and EXPIRE to slide the idle timeout);
 * a write is one more that applies only the changed fields, with HINCRBY for increments so
 * concurrent requests of one user lose nothing. Scripts run atomically and cost one round
 * trip each; with auto-pipelining, the calls of many concurrent requests share socket writes.
 * The hash expires `ttl` seconds after the last request that touched it.
 *
 * Every script touches a single key, so a session lives in one hash slot and the same
 * code runs on a standalone server, behind Sentinel, or on a Redis Cluster.
 *
 * Each owner's sessions are a sorted set, `<namespace>:owner:<owner>`, of ids by creation
 * time. A session joins it once, when it gets its owner (sign-in): inside the commit script on
 * a single server; on a Cluster, where the set and the session may sit in different slots, by
 * a ZADD of its own sent just before the commit, in the same round trip. Entries of sessions
 * that ended are removed when the owner's sessions are listed.
 *
 * Failure policy: no command waits longer than `commandTimeout`, and none is queued while
 * Redis is unreachable; the request answers 503. When Redis stops answering (a timeout),
 * later requests fail at once instead of piling up behind it, until a probe gets an answer.
 */
export class RedisStore implements SessionStore {
  readonly client: Redis | Cluster;
  #options: RedisStoreOptions;
  #deadlines: Deadlines;
  /** Set while Redis is not answering: requests fail fast until the probe it holds succeeds. */
  #stalled: Promise<void> | undefined;
  #closing = false;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#deadlines = new Deadlines(options.commandTimeout);
    const connection: RedisOptions = {
      password: options.password || undefined,
      ...options.options,
      // Fail fast while disconnected instead of queueing requests behind a dead server.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // No ioredis commandTimeout: #deadlines already bounds every call, and a second timer per
      // command showed in the read-only request's throughput.
      lazyConnect: true,
      // Commands issued in the same tick (many requests' loads and commits) go out in one write.
      enableAutoPipelining: true,
    };
    if (options.cluster?.length) {
      const { db, ...nodeOptions } = connection;
      if (db) {
        throw new ConfigurationError("E_BAD_SESSION_CONFIG", `config/session.ts: a Redis Cluster has only database 0, but DRIVERS.redis.options.db is ${db}; remove it (REDIS_DB) when using the cluster.`);
      }
      this.client = new Cluster(options.cluster, { ...options.clusterOptions, redisOptions: nodeOptions, enableOfflineQueue: false, lazyConnect: true });
    } else {
      this.client = options.url ? new Redis(options.url, connection) : new Redis({ host: options.host, port: options.port, ...connection });
    }
    this.client.on("error", (error: Error) => options.logger.debug(`redis session store: ${error.message}`, { err: error }));
    this.client.defineCommand("loadSession", { numberOfKeys: 1, lua: LOAD_SCRIPT });
    this.client.defineCommand("peekSession", { numberOfKeys: 1, lua: PEEK_SCRIPT });
    this.client.defineCommand("commitSession", { numberOfKeys: 1, lua: COMMIT_SCRIPT });
    this.client.defineCommand("commitIndexedSession", { numberOfKeys: 2, lua: COMMIT_SCRIPT });
  }

  /** Which Redis this is, for messages: host:port, the sentinels and master name, or the cluster's nodes; never a URL's password. */
  #where(): string {
    const { url, host, port, cluster, options } = this.#options;
    if (cluster?.length) return `the cluster nodes ${cluster.map((n) => `${n.host}:${n.port}`).join(", ")}`;
    if (options.sentinels?.length) return `the sentinels ${options.sentinels.map((s) => `${s.host ?? "localhost"}:${s.port ?? 26379}`).join(", ")} (master "${options.name}")`;
    if (!url) return `${host}:${port}`;
    try {
      const parsed = new URL(url);
      return `${parsed.hostname}:${parsed.port || 6379} (REDIS_URL)`;
    } catch {
      return "REDIS_URL";
    }
  }

  /** Connects at start-up, so a wrong host or port is a clear message before the first request. */
  async connect(): Promise<void> {
    const where = this.#where();
    try {
      await this.#deadlines.run(() => this.client.connect());
      await this.#deadlines.run(() => this.client.ping());
    } catch (error) {
      this.client.disconnect();
      throw new FrameworkError(
        "E_SESSION_STORE_UNREACHABLE",
        `The redis session driver cannot reach Redis at ${where}: ${(error as Error).message.replace(/[.\s]+$/, "")}. Start Redis, fix the Redis settings (REDIS_HOST/REDIS_PORT, REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER) in config/session.ts, or use SESSION_DRIVER=cookie.`,
        { cause: error },
      );
    }
  }

  key(id: string): string {
    return `${this.#options.namespace}:session:${id}`;
  }

  ownerKey(owner: string): string {
    return `${this.#options.namespace}:owner:${owner}`;
  }

  /**
   * The session under `id` (its client metadata left in Redis: see LOAD_SCRIPT), decoded as
   * the answer arrives, and answered with the id it was read under, so the session layer
   * takes it as it is.
   */
  read(id: string, ttl: number): Promise<LoadedSession | undefined> {
    return this.#run(
      () => this.client.loadSession(this.key(id), ttl),
      (reply) => {
        if (reply !== null) return this.#decode(id, reply);
        // Something that is not a session hash sits under this id: not ours to adopt, and not an outage.
        this.#options.logger.debug("redis session store: the key for a presented id is not a session hash; starting a fresh session");
        return undefined;
      },
    );
  }

  /** A session hash's fields, in one pass, as the session `id`; undefined for a hash this store did not write. */
  #decode(id: string, reply: string[]): LoadedSession | undefined {
    let created: string | undefined;
    let notJson: string[] | undefined;
    const data = new SessionFields();
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const field = reply[i]!;
      if (field === CREATED_FIELD) {
        created = reply[i + 1];
        continue;
      }
      try {
        data[field] = JSON.parse(reply[i + 1]!);
      } catch {
        (notJson ??= []).push(field);
      }
    }
    const createdAt = Number(created);
    // A hash without our marker is not a session we wrote.
    if (!created || !Number.isFinite(createdAt)) return undefined;
    if (notJson) for (const field of notJson) this.#options.logger.warn(`redis session store: field "${field}" of a session is not JSON; ignored`);
    return { id, data, createdAt };
  }

  write(id: string, record: SessionRecord, ttl: number, owner?: string, options?: WriteOptions): Promise<boolean> {
    const args = [options?.existing ? "2" : "1", "0", "0", CREATED_FIELD, String(record.createdAt)];
    for (const [field, value] of Object.entries(record.data)) args.push(field, JSON.stringify(value));
    return this.#commit(id, ttl, args, owner, record.createdAt);
  }

  patch(id: string, patch: SessionPatch, ttl: number, owner?: string): Promise<boolean> {
    // The index orders by creation time, which a patch does not know: "now" is close enough for a session that just got its owner.
    const since = owner === undefined ? 0 : Date.now();
    const args = ["0", String(patch.increments.size), String(patch.deleted.size)];
    for (const [field, by] of patch.increments) args.push(field, String(by));
    for (const field of patch.deleted) args.push(field);
    for (const [field, value] of patch.set) args.push(field, JSON.stringify(value));
    return this.#commit(id, ttl, args, owner, since);
  }

  async destroy(id: string, owner?: string): Promise<boolean> {
    const removed = this.#run(() => this.client.unlink(this.key(id)));
    if (owner !== undefined) await Promise.all([removed, this.#run(() => this.client.zrem(this.ownerKey(owner), id))]);
    return (await removed) > 0;
  }

  async listOwner(owner: string, ttl: number, owns: (data: StoredData) => boolean): Promise<OwnedSession[]> {
    const index = this.ownerKey(owner);
    const ids = await this.#run(() => this.client.zrange(index, 0, -1));
    const now = Date.now();
    // One script per session (each touches one key, so this works across a Cluster's slots); auto-pipelining sends them together.
    const replies = await Promise.all(ids.map((id) => this.#run(() => this.client.peekSession(this.key(id)))));
    const listed: OwnedSession[] = [];
    const ended: string[] = [];
    ids.forEach((id, n) => {
      const reply = replies[n];
      const record = reply && reply[0] > 0 ? this.#decode(id, reply[1]) : undefined;
      if (record && owns(record.data)) listed.push({ ...record, lastSeenAt: now + reply![0] - ttl * 1000 });
      else ended.push(id);
    });
    if (ended.length) await this.#run(() => this.client.zrem(index, ...ended));
    return listed;
  }

  /**
   * Runs the commit script on `args` (the mode and counts, then the pairs); false when it wrote
   * nothing because the session it had to replace had ended.
   */
  #commit(id: string, ttl: number, args: string[], owner: string | undefined, since: number): Promise<boolean> {
    if (owner === undefined) return this.#run(() => this.client.commitSession(this.key(id), ttl, ...args), committed);
    if (this.client instanceof Cluster) {
      // Indexed first: an entry whose session was never written is pruned when listed, while a
      // session missing from its index could not be listed or revoked.
      const index = this.#run(() => this.client.zadd(this.ownerKey(owner), since, id));
      return Promise.all([index, this.#run(() => this.client.commitSession(this.key(id), ttl, ...args), committed)]).then(([, written]) => written);
    }
    args.splice(3, 0, id, String(since));
    return this.#run(() => this.client.commitIndexedSession(this.key(id), this.ownerKey(owner), ttl, ...args), committed);
  }

  async close(): Promise<void> {
    this.#closing = true;
    // Bounded: a Redis that stopped answering must not keep the app from stopping.
    if (this.client.status === "ready") await this.#deadlines.run(() => this.client.quit()).catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /**
   * Sends a Redis call bounded by the command timeout and turns any failure into a 503.
   * While Redis is known not to answer, it fails at once without sending anything.
   */
  #run<T, R = T>(send: () => Promise<T>, answer?: (reply: T) => R): Promise<R> {
    if (this.#stalled) return Promise.reject(this.#storeUnavailable(new Error("Redis is not answering; failing fast until it does.")));
    return this.#deadlines.run(send, this.#unavailable, answer);
  }

  /** The 503 for a failed call; a timeout starts failing fast. A field, so every call can pass it as it is. */
  #unavailable = (error: unknown): SessionStoreUnavailable => {
    if (isNoAnswer(error)) this.#stall();
    return error instanceof SessionStoreUnavailable ? error : this.#storeUnavailable(error);
  };

  #storeUnavailable(cause: unknown): SessionStoreUnavailable {
    return new SessionStoreUnavailable(cause, {
      name: `Redis at ${this.#where()}`,
      fix: "start that Redis (or wait for it to come back), or point REDIS_HOST/REDIS_PORT, REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER in config/session.ts at one that runs",
    });
  }

  /**
   * Redis let a command time out: until a PING gets an answer, requests fail fast rather than
   * each waiting out the timeout. A connection that stays silent through several probes is
   * dropped and made again (a hung server or a dead network path the socket cannot see).
   */
  #stall(): void {
    if (this.#stalled || this.#closing) return;
    const { logger, commandTimeout } = this.#options;
    logger.warn(`redis session store: no answer within ${commandTimeout} ms; answering 503 at once until Redis answers again`);
    this.#stalled = (async () => {
      const reconnectAfter = Math.max(RECONNECT_AFTER_MS, 5 * commandTimeout);
      let silentSince = Date.now();
      while (!this.#closing) {
        try {
          await this.#deadlines.run(() => this.client.ping());
          break;
        } catch (error) {
          if (isNoAnswer(error) && Date.now() - silentSince >= reconnectAfter) {
            logger.warn(`redis session store: no answer for ${reconnectAfter} ms; reconnecting`);
            this.client.disconnect(true);
            silentSince = Date.now();
          }
          await new Promise((resolve) => setTimeout(resolve, 100).unref());
        }
      }
      this.#stalled = undefined;
      if (!this.#closing) logger.warn("redis session store: Redis answers again");
    })();
  }
}

/** The commit script's answer: whether it wrote; the field that refused an increment is a conflict. */
function committed(refused: 0 | 1 | string): boolean {
  if (typeof refused === "string") throw new SessionConflict(refused);
  return refused === 1;
}
