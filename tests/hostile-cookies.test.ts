import "./support/env";
import assert from "node:assert/strict";
import { createHmac, randomBytes, randomInt } from "node:crypto";
import { describe, test } from "node:test";
import type Redis from "ioredis";
import { deriveKey, Encrypter, generateKey, parseKey } from "masonite/security";
import { CREATED_FIELD } from "masonite/sessions";
import { AppProcess } from "./support/appProcess";
import { createDatabase, type TestDatabase } from "./support/database";
import { closedLoop, HttpClient, rawGet, rawRequest, Visitor } from "./support/http";
import { countKeys, RedisServer } from "./support/redis";

/**
 * Hostile cookies and session ids against a real app process: at least 10,000 per driver.
 * Every answer must be below 500, the process must stay up with flat memory, nothing may be
 * stored for them, and no cookie but a victim's own intact one may open that victim's session.
 */

const NAME = "masonite_session";
const ATTEMPTS = Number(process.env.HOSTILE_COOKIES ?? 10_000);
const CONCURRENCY = 16;

interface Attempt {
  kind: string;
  /** The Cookie header, as raw bytes. */
  cookie: Buffer;
  /** Whose session this cookie legitimately opens (controls only); undefined means nobody's. */
  owner?: string;
}

interface Victim {
  owner: string;
  /** Cookie name -> value, as the browser holds them. */
  cookies: Map<string, string>;
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;
const header = (pairs: [string, string][]): Buffer => Buffer.from(pairs.map(([k, v]) => `${k}=${v}`).join("; "), "latin1");
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Random bytes for a header value: anything but CR and LF, which would end the header instead. */
function randomHeaderBytes(length: number): Buffer {
  const bytes = randomBytes(length);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 13 || bytes[i] === 10) bytes[i] = 32;
  return bytes;
}

function flipBit(value: string): string {
  const raw = Buffer.from(value, "base64url");
  if (raw.length === 0) return value + "A";
  const at = randomInt(raw.length);
  raw[at]! ^= 1 << randomInt(8);
  return raw.toString("base64url");
}

function swapChar(value: string): string {
  const at = randomInt(value.length);
  let replacement = pick([...BASE64URL]);
  while (replacement === value[at]) replacement = pick([...BASE64URL]);
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

/** The same 32 bytes spelled differently: base64url's last character carries two unused bits. */
function nonCanonical(id: string): string {
  const last = BASE64URL.indexOf(id[id.length - 1]!);
  return id.slice(0, -1) + BASE64URL[(last & ~3) | ((last & 3) ^ (1 + randomInt(3)))]!;
}

function victimPairs(victim: Victim): [string, string][] {
  return [...victim.cookies];
}

/** Hostile cookies for the cookie driver, plus intact controls. */
function* cookieDriverAttempts(victims: Victim[], count: number): Generator<Attempt> {
  const rightKey = new Encrypter({ key: process.env.APP_KEY!, purpose: "session-cookie" });
  const otherKey = new Encrypter({ key: generateKey(), purpose: "session-cookie" });
  const chunked = victims.filter((v) => v.cookies.size > 1);
  const single = victims.filter((v) => v.cookies.size === 1);
  const seal = (encrypter: Encrypter, payload: unknown, aad = NAME) => encrypter.seal(Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)), aad);
  const sessionPayload = (owner: string, expiresAt = Date.now() + 3_600_000) => ({ i: randomBytes(32).toString("base64url"), c: Date.now(), e: expiresAt, d: { owner } });
  // Payloads sealed under the right key but shaped wrong: only the key holder could send these, yet load must stay total.
  const weird = [
    "null", "[]", '"text"', "123", "true", "{}", '{"i":1}', '{"e":"soon"}', '{"e":9e99}', '{"e":9e99,"d":null}', '{"e":9e99,"d":"abc","i":"x","c":"y"}',
    '{"e":9e99,"d":[1,2,3],"i":[],"c":{}}', '{"e":9e99,"c":9e99,"i":"' + "x".repeat(43) + '","d":{}}', '{"e":1e400,"d":{}}', "not json at all", "\u0000\uffff",
    '{"e":9e99,"i":"' + "A".repeat(43) + '","c":0,"d":{"__proto__":{"polluted":"yes"},"__created":1}}',
    '{"__proto__":{"polluted":"yes"},"e":9e99,"d":{}}',
  ];
  const makers: [string, number, () => Attempt][] = [
    ["random bytes", 10, () => ({ kind: "random bytes", cookie: Buffer.concat([Buffer.from(`${NAME}=`), randomHeaderBytes(randomInt(1, 400))]) })],
    ["random header bytes (whole Cookie header)", 3, () => ({ kind: "random header bytes (whole Cookie header)", cookie: randomHeaderBytes(randomInt(1, 600)) })],
    ["base64url of garbage", 10, () => ({ kind: "base64url of garbage", cookie: header([[NAME, randomBytes(randomInt(0, 3000)).toString("base64url")]]) })],
    ["version byte + garbage", 8, () => ({ kind: "version byte + garbage", cookie: header([[NAME, Buffer.concat([Buffer.from([1]), randomBytes(randomInt(28, 400))]).toString("base64url")]]) })],
    ["truncated real cookie", 10, () => {
      const v = pick(single);
      const value = v.cookies.get(NAME)!;
      return { kind: "truncated real cookie", cookie: header([[NAME, value.slice(0, randomInt(0, value.length))]]) };
    }],
    ["bit-flipped real cookie", 10, () => {
      const v = pick(single);
      return { kind: "bit-flipped real cookie", cookie: header([[NAME, flipBit(v.cookies.get(NAME)!)]]) };
    }],
    ["one character changed", 6, () => {
      const v = pick(single);
      return { kind: "one character changed", cookie: header([[NAME, swapChar(v.cookies.get(NAME)!)]]) };
    }],
    ["sealed under another key", 6, () => ({ kind: "sealed under another key", cookie: header([[NAME, seal(otherKey, sessionPayload(pick(victims).owner))]]) })],
    ["sealed for another cookie name", 4, () => ({ kind: "sealed for another cookie name", cookie: header([[NAME, seal(rightKey, sessionPayload(pick(victims).owner), "other_cookie")]]) })],
    ["expired", 6, () => ({ kind: "expired", cookie: header([[NAME, seal(rightKey, sessionPayload(pick(victims).owner, Date.now() - randomInt(1, 10_000_000)))]]) })],
    ["right key, malformed payload", 5, () => ({ kind: "right key, malformed payload", cookie: header([[NAME, seal(rightKey, pick(weird))]]) })],
    ["oversize 8-15 KB", 4, () => ({ kind: "oversize 8-15 KB", cookie: header([[NAME, randomBytes(randomInt(6_200, 11_000)).toString("base64url")]]) })],
    ["oversize over 16 KB", 1, () => ({ kind: "oversize over 16 KB", cookie: header([[NAME, randomBytes(randomInt(13_000, 40_000)).toString("base64url")]]) })],
    ["chunk missing", 4, () => {
      const pairs = victimPairs(pick(chunked));
      pairs.splice(randomInt(1, pairs.length), 1);
      return { kind: "chunk missing", cookie: header(pairs) };
    }],
    ["extra chunk (intact set + one more)", 2, () => {
      // The victim's own intact chunks plus a stray one: it opens exactly that session (the stray is ignored, then deleted).
      const v = pick(chunked);
      const pairs = victimPairs(v);
      pairs.push([`${NAME}.${pairs.length}`, randomBytes(randomInt(1, 300)).toString("base64url")]);
      return { kind: "extra chunk (intact set + one more)", cookie: header(pairs), owner: v.owner };
    }],
    ["first chunk missing", 2, () => ({ kind: "first chunk missing", cookie: header(victimPairs(pick(chunked)).slice(1)) })],
    ["chunk count changed", 3, () => {
      const pairs = victimPairs(pick(chunked));
      const counts = [0, 1, 2, 3, 4, 5, 9, 99].filter((n) => n !== pairs.length);
      pairs[0] = [NAME, pairs[0]![1].replace(/^\d+\./, `${pick(counts)}.`)];
      return { kind: "chunk count changed", cookie: header(pairs) };
    }],
    ["chunks swapped", 3, () => {
      // The first chunk carries the count ("2.<part>"): the parts swap, the count stays first.
      const pairs = victimPairs(pick(chunked));
      const [, count, first] = /^(\d+\.)(.*)$/.exec(pairs[0]![1])!;
      pairs[0] = [NAME, `${count}${pairs[1]![1]}`];
      pairs[1] = [pairs[1]![0], first!];
      return { kind: "chunks swapped", cookie: header(pairs) };
    }],
    ["chunk from another session", 3, () => {
      const [a, b] = [pick(chunked), pick(chunked)];
      if (a === b) return { kind: "chunk from another session", cookie: header([[NAME, "x"]]) };
      const pairs = victimPairs(a);
      pairs[1] = [pairs[1]![0], b.cookies.get(pairs[1]![0])!];
      return { kind: "chunk from another session", cookie: header(pairs) };
    }],
    ["garbage chunk set", 2, () => ({
      kind: "garbage chunk set",
      cookie: header([[NAME, `${randomInt(0, 100)}.${randomBytes(randomInt(0, 200)).toString("base64url")}`], ...Array.from({ length: randomInt(0, 5) }, (_, i) => [`${NAME}.${i + 1}`, randomBytes(randomInt(0, 300)).toString("base64url")] as [string, string])]),
    })],
    ["garbage before the real cookie", 2, () => ({ kind: "garbage before the real cookie", cookie: header([[NAME, randomBytes(40).toString("base64url")], ...victimPairs(pick(single))]) })],
    ["ids as cookies", 3, () => ({ kind: "ids as cookies", cookie: header([[NAME, randomBytes(32).toString("base64url")]]) })],
  ];
  yield* drawAttempts(makers, victims, count);
}

/** Ids of entries planted in the store behind the app's back: the kind of attempt, its weight, the ids. */
type Planted = [kind: string, weight: number, ids: string[]][];

/** Hostile ids for a server-side driver (redis, database), plus intact controls. */
function* serverDriverAttempts(victims: Victim[], planted: Planted, count: number): Generator<Attempt> {
  const alphabets = [BASE64URL, "0123456789abcdef", "0123456789", "*?[]{}:\\ ,\"'%$#@!~`^&()+/|<>", String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i + 128)), String.fromCharCode(...Array.from({ length: 95 }, (_, i) => i + 32))];
  const ids = victims.map((v) => v.cookies.get(NAME)!);
  const id = (value: string): Buffer => Buffer.from(`${NAME}=${value}`, "latin1");
  const makers: [string, number, () => Attempt][] = [
    ["random bytes", 10, () => ({ kind: "random bytes", cookie: Buffer.concat([Buffer.from(`${NAME}=`), randomHeaderBytes(randomInt(1, 400))]) })],
    ["ids of every length and alphabet", 30, () => {
      const alphabet = pick(alphabets);
      const length = randomInt(0, 130);
      return { kind: "ids of every length and alphabet", cookie: id(Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("")) };
    }],
    ["well-formed unknown id", 12, () => ({ kind: "well-formed unknown id", cookie: id(randomBytes(32).toString("base64url")) })],
    ["truncated or extended real id", 8, () => {
      const real = pick(ids);
      return { kind: "truncated or extended real id", cookie: id(randomInt(2) ? real.slice(0, randomInt(0, real.length)) : real + pick([...BASE64URL])) };
    }],
    ["one character changed", 8, () => ({ kind: "one character changed", cookie: id(swapChar(pick(ids))) })],
    ["same bytes, non-canonical spelling", 4, () => ({ kind: "same bytes, non-canonical spelling", cookie: id(nonCanonical(pick(ids))) })],
    ["case changed", 3, () => ({ kind: "case changed", cookie: id(pick(ids).replace(/[a-z]/, (c) => c.toUpperCase())) })],
    ...planted.map(([kind, weight, plantedIds]): [string, number, () => Attempt] => [kind, weight, () => ({ kind, cookie: id(pick(plantedIds)) })]),
    ["oversize 8-15 KB", 4, () => ({ kind: "oversize 8-15 KB", cookie: id(randomBytes(randomInt(6_200, 11_000)).toString("base64url")) })],
    ["oversize over 16 KB", 1, () => ({ kind: "oversize over 16 KB", cookie: id(randomBytes(randomInt(13_000, 40_000)).toString("base64url")) })],
    ["sealed-cookie lookalike", 3, () => ({ kind: "sealed-cookie lookalike", cookie: id(Buffer.concat([Buffer.from([1]), randomBytes(randomInt(28, 300))]).toString("base64url")) })],
    ["garbage before the real id", 2, () => ({ kind: "garbage before the real id", cookie: Buffer.from(`${NAME}=${randomBytes(20).toString("hex")}; ${NAME}=${pick(ids)}`) })],
  ];
  yield* drawAttempts(makers, victims, count);
}

/** Draws `count` attempts by weight; every 20th is followed by a victim's own intact cookie, which must open exactly that session. */
function* drawAttempts(makers: [string, number, () => Attempt][], victims: Victim[], count: number): Generator<Attempt> {
  const total = makers.reduce((sum, [, weight]) => sum + weight, 0);
  for (let i = 0; i < count; i++) {
    let roll = randomInt(total);
    const maker = makers.find(([, weight]) => (roll -= weight) < 0)!;
    yield maker[2]();
    if (i % 20 === 0) {
      const v = pick(victims);
      yield { kind: "control (intact)", cookie: header(victimPairs(v)), owner: v.owner };
    }
  }
}

async function health(client: HttpClient): Promise<{ pid: number; heapUsed: number; rss: number; pollution: string[] }> {
  const reply = await client.request("/_rel/health?gc=1");
  assert.equal(reply.status, 200, `health probe: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body);
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * Rows planted in the database session table behind the app's back: sessions of an app with
 * another APP_KEY, rows keyed by a raw id instead of its HMAC, expired rows, and rows under this
 * app's own keys whose data is not a session (only someone holding APP_KEY could plant these,
 * yet reading must stay total).
 */
async function plantRows(db: TestDatabase): Promise<Planted> {
  const hmac = (key: Buffer, value: string) => createHmac("sha256", key).update(value).digest("hex");
  const ownKey = deriveKey(parseKey(process.env.APP_KEY!), "session-database-ids");
  const otherKey = randomBytes(32);
  const values = db.dialect === "postgres" ? "($1, '-', $2::jsonb, 1, $3, NULL)" : "(?, '-', ?, 1, ?, NULL)";
  const insert = (rowId: string, data: string, expiresAt: number) => db.query(`INSERT INTO sessions (id, sealed_id, data, created_at, expires_at, owner) VALUES ${values}`, [rowId, data, expiresAt]);
  // The PostgreSQL dialect keeps each value as its JSON text; SQLite the data as it is.
  const ownerData = (owner: string) => JSON.stringify({ owner: db.dialect === "postgres" ? JSON.stringify(owner) : owner });
  const notSessions = ["[]", "null", '"text"', "123", ...(db.dialect === "postgres" ? ['{"owner":"not json text"}', '{"owner":5}'] : ["not json at all", "{", ""])];
  const planted: Planted = [["another app's session", 5, []], ["raw id as the row's key", 4, []], ["expired row", 4, []], ["row that is not a session", 4, []]];
  const live = Date.now() + 3_600_000;
  for (let i = 0; i < 10; i++) {
    const [foreign, raw, expired, notSession] = Array.from({ length: 4 }, () => randomBytes(32).toString("base64url"));
    await insert(hmac(otherKey, foreign!), ownerData(`foreign-${i}`), live);
    await insert(raw!, ownerData(`raw-${i}`), live);
    await insert(hmac(ownKey, expired!), ownerData(`expired-${i}`), Date.now() - 1000 - i);
    await insert(hmac(ownKey, notSession!), notSessions[i % notSessions.length]!, live);
    [foreign, raw, expired, notSession].forEach((plantedId, kind) => planted[kind]![2].push(plantedId!));
  }
  return planted;
}

for (const driver of ["cookie", "redis", "database:sqlite", "database:postgres"] as const) {
  describe(`hostile cookies and ids (${driver} driver)`, () => {
    test(`${ATTEMPTS} hostile cookies: never a 5xx, nobody else's data, flat memory, nothing stored`, { timeout: 240_000 }, async (t) => {
      let redisServer: RedisServer | undefined;
      let redis: Redis | undefined;
      let db: TestDatabase | undefined;
      const namespace = `hostile${randomBytes(4).toString("hex")}`;
      if (driver === "redis") {
        redisServer = await RedisServer.startOrSkip(t);
        if (!redisServer) return;
        redis = redisServer.client();
      } else if (driver !== "cookie") {
        db = await createDatabase(driver === "database:sqlite" ? "sqlite" : "postgres", t);
        if (!db) return;
      }
      const app = await AppProcess.start({ env: { SESSION_DRIVER: driver.split(":")[0], REDIS_URL: redisServer?.url ?? "", SESSION_NAMESPACE: namespace, DATABASE_URL: db?.url ?? "" } });
      const client = new HttpClient(app.url);
      t.after(async () => {
        client.close();
        app.kill();
        redis?.disconnect();
        if (redisServer && !redisServer.external) await redisServer.destroy();
        await db?.drop();
      });

      // Victims: sessions that belong to someone, some big enough for the cookie driver to chunk.
      const victims: Victim[] = [];
      for (let i = 0; i < 24; i++) {
        const visitor = new Visitor(client);
        const owner = `owner-${i}-${randomBytes(6).toString("hex")}`;
        const reply = await visitor.get(`/_rel/claim?owner=${owner}${i % 3 === 0 ? "&pad=4000" : ""}`);
        assert.equal(reply.status, 200, reply.body);
        victims.push({ owner, cookies: new Map(visitor.jar.names().map((n) => [n, visitor.jar.get(n)!])) });
      }
      if (driver === "cookie") assert.ok(victims.some((v) => v.cookies.size >= 2), "the padded victims' cookies were chunked");

      let attempts: Generator<Attempt>;
      if (driver === "redis") {
        // Keys someone else put in Redis: another app's sessions, keys of other types, hashes without our marker.
        const planted = { foreign: [] as string[], wrongType: [] as string[], noCreated: [] as string[] };
        for (let i = 0; i < 8; i++) {
          const foreign = randomBytes(32).toString("base64url");
          await redis!.hset(`other${namespace}:session:${foreign}`, CREATED_FIELD, String(Date.now()), "owner", JSON.stringify(`foreign-${i}`));
          planted.foreign.push(foreign);
          const wrong = randomBytes(32).toString("base64url");
          const key = `${namespace}:session:${wrong}`;
          if (i % 4 === 0) await redis!.set(key, JSON.stringify({ owner: `string-${i}` }));
          else if (i % 4 === 1) await redis!.rpush(key, "owner", `list-${i}`);
          else if (i % 4 === 2) await redis!.sadd(key, `set-${i}`);
          else await redis!.zadd(key, 1, `zset-${i}`);
          planted.wrongType.push(wrong);
          const bare = randomBytes(32).toString("base64url");
          await redis!.hset(`${namespace}:session:${bare}`, "owner", JSON.stringify(`bare-${i}`), ...(i % 2 ? [CREATED_FIELD, "not-a-number"] : []));
          planted.noCreated.push(bare);
        }
        attempts = serverDriverAttempts(victims, [["id of another namespace", 6, planted.foreign], ["key of another type", 4, planted.wrongType], ["hash that is not a session", 3, planted.noCreated]], ATTEMPTS);
      } else if (db) {
        attempts = serverDriverAttempts(victims, await plantRows(db), ATTEMPTS);
      } else {
        attempts = cookieDriverAttempts(victims, ATTEMPTS);
      }
      const stored = async () => (redis ? await countKeys(redis, `${namespace}:*`) : db ? (await db.query("SELECT id FROM sessions")).length : 0);
      const keysBefore = await stored();

      const startedPid = (await health(client)).pid;
      const statuses = new Map<number, number>();
      const kinds = new Map<string, number>();
      const problems: string[] = [];
      let hostile = 0;
      let controls = 0;
      let fiveHundreds = 0;
      let warmHeap = 0;
      const queue = attempts[Symbol.iterator]();
      const started = performance.now();
      let exhausted = false;
      await closedLoop(CONCURRENCY, () => !exhausted, async () => {
        const next = queue.next();
        if (next.done) {
          exhausted = true;
          return;
        }
        const attempt = next.value;
        if (attempt.kind === "control (intact)") controls++;
        else hostile++;
        kinds.set(attempt.kind, (kinds.get(attempt.kind) ?? 0) + 1);
        if (hostile === Math.floor(ATTEMPTS / 5) && warmHeap === 0) warmHeap = -1; // measured below, outside the hot path
        const reply = await rawRequest(app.port, rawGet("/_rel/whoami", app.port, attempt.cookie));
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status >= 500 || reply.status <= 0) {
          fiveHundreds += reply.status >= 500 ? 1 : 0;
          if (problems.length < 10) problems.push(`${attempt.kind}: status ${reply.status} ${reply.error ?? ""} ${reply.body.slice(0, 200)}`);
          return;
        }
        if (reply.status !== 200) {
          // 400/431: Node refused the request before the app, which is fine; any other status is not.
          if (reply.status !== 400 && reply.status !== 431 && problems.length < 10) problems.push(`${attempt.kind}: status ${reply.status} ${reply.body.slice(0, 200)}`);
          return;
        }
        const seen = JSON.parse(reply.body) as { owner: string | null; keys: string[] };
        if (seen.owner !== (attempt.owner ?? null)) {
          if (problems.length < 10) problems.push(`${attempt.kind}: expected owner ${attempt.owner ?? null}, saw ${seen.owner} (keys ${seen.keys})`);
        } else if (attempt.owner === undefined && seen.keys.length > 0) {
          if (problems.length < 10) problems.push(`${attempt.kind}: a hostile cookie opened a session holding ${seen.keys}`);
        }
        if (warmHeap === -1) {
          warmHeap = -2;
          warmHeap = (await health(client)).heapUsed;
        }
      });
      const seconds = (performance.now() - started) / 1000;
      const end = await health(client);
      const keysAfter = await stored();

      t.diagnostic(
        `[hostile cookies] ${driver} driver: ${hostile} hostile cookies tried (+${controls} intact controls) in ${seconds.toFixed(1)} s; ` +
          `5xx seen: ${fiveHundreds}; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `heap after GC ${mb(warmHeap)} MB at ${Math.floor(ATTEMPTS / 5)} attempts -> ${mb(end.heapUsed)} MB at ${hostile} (rss ${mb(end.rss)} MB)` +
          (redis ? `; keys in the namespace ${keysBefore} before, ${keysAfter} after` : db ? `; rows in the table ${keysBefore} before, ${keysAfter} after` : ""),
      );
      t.diagnostic(`[hostile cookies] ${driver} driver kinds: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);

      assert.deepEqual(problems, [], `hostile cookies misbehaved:\n${problems.join("\n")}\n--- app output ---\n${app.output.slice(-3000)}`);
      assert.ok(hostile >= ATTEMPTS, `${hostile} hostile cookies tried`);
      assert.equal(fiveHundreds, 0);
      assert.ok(app.running, "the app is still up");
      assert.equal(end.pid, startedPid, "the same process answered throughout");
      assert.deepEqual(end.pollution, []);
      assert.ok(warmHeap > 0, "the warm-up heap was measured");
      assert.ok(end.heapUsed - warmHeap < 8 * 1024 * 1024, `heap grew from ${mb(warmHeap)} MB to ${mb(end.heapUsed)} MB`);
      if (redis) assert.equal(keysAfter, keysBefore, "hostile ids created no keys");
      if (db) assert.equal(keysAfter, keysBefore, "hostile ids created no rows");
    });
  });
}
