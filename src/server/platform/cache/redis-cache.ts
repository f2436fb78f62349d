import { Redis } from 'ioredis';
import { assertTokenBucket, type Cache } from './cache.js';

export interface RedisCacheOptions {
  url: string;
  /** Prepended verbatim to every key (e.g. `ap:`), so several apps can share one Redis. */
  keyPrefix: string;
  connectTimeoutMs?: number;
  /** Upper bound for any command, including time spent queued while reconnecting. */
  commandTimeoutMs?: number;
  /** Upper bound for `check()`, kept short because health probes have their own deadline. */
  checkTimeoutMs?: number;
  /** Connection errors; ioredis reports each failed reconnect here. Commands still reject. */
  onError?: (err: Error) => void;
}

// INCR and PEXPIRE in one script so two concurrent first increments cannot both miss the
// expiry or both reset it. A key left without expiry (PTTL -1) is given one rather than count
// forever.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

// The bucket is a hash {tokens, at} refilled from Redis's own clock, so processes with skewed
// clocks share one fair bucket. Tokens are fractional; Lua numbers would be truncated to
// integers on the way back, so they return as text. The key lives until the bucket is full again.
const TAKE_TOKENS_SCRIPT = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] then
  tokens = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * per_ms)
end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
return {allowed, tostring(tokens), retry}
`;

type TakeTokensCommand = (
  key: string,
  capacity: number,
  refillPerSecond: number,
  cost: number,
) => Promise<[number, string, number]>;

type IncrementCommand = (key: string, windowMs: number) => Promise<[number, number]>;

export function createRedisCache(options: RedisCacheOptions): Cache {
  const { keyPrefix } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    // The default (20 reconnects per command) keeps a request waiting for many seconds when Redis
    // is down; one reconnect attempt, then fail, lets the caller degrade or answer 503 instead.
    maxRetriesPerRequest: 1,
  });
  // Without a listener ioredis prints every reconnect failure to stderr.
  client.on('error', options.onError ?? (() => {}));

  // defineCommand sends EVALSHA and falls back to EVAL once per connection, instead of shipping
  // the script body with every rate-limited request.
  client.defineCommand('cacheIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
  const incrementCommand = (client as unknown as { cacheIncrement: IncrementCommand }).cacheIncrement.bind(
    client,
  );
  client.defineCommand('cacheTakeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS_SCRIPT });
  const takeTokensCommand = (
    client as unknown as { cacheTakeTokens: TakeTokensCommand }
  ).cacheTakeTokens.bind(client);

  // While ioredis waits to reconnect after a failure, a command would sit in its offline queue
  // until the next attempt or the command timeout. Callers that carry on without the cache (rate
  // limits, AIDE's answers) would then make every request that slow during an outage: refuse at
  // once instead, until the connection is back.
  const failFastWhileDown = () => {
    if (client.status === 'reconnecting' || client.status === 'close' || client.status === 'end')
      throw new Error(`redis is unreachable (connection ${client.status})`);
  };

  return {
    kind: 'redis',

    async get<T>(key: string) {
      failFastWhileDown();
      const text = await client.get(keyPrefix + key);
      return text === null ? undefined : (JSON.parse(text) as T);
    },

    async set(key, value, ttlMs) {
      failFastWhileDown();
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError(`cache value for "${key}" is not JSON-serialisable`);
      await client.set(keyPrefix + key, text, 'PX', toRedisMs(ttlMs));
    },

    async delete(key) {
      failFastWhileDown();
      await client.del(keyPrefix + key);
    },

    async increment(key, windowMs) {
      failFastWhileDown();
      const [count, ttlMs] = await incrementCommand(keyPrefix + key, toRedisMs(windowMs));
      return { count, ttlMs };
    },

    async takeTokens(key, bucket, cost = 1) {
      failFastWhileDown();
      assertTokenBucket(bucket, cost);
      const [allowed, tokens, retryAfterMs] = await takeTokensCommand(
        keyPrefix + key,
        bucket.capacity,
        bucket.refillPerSecond,
        cost,
      );
      return { allowed: allowed === 1, remaining: Math.floor(Number(tokens)), retryAfterMs };
    },

    async deleteByPrefix(prefix) {
      failFastWhileDown();
      const pattern = `${escapeGlob(keyPrefix + prefix)}*`;
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        // UNLINK frees large values off the main thread; SCAN may return a key twice, which is harmless.
        if (keys.length > 0) deleted += await client.unlink(...keys);
      } while (cursor !== '0');
      return deleted;
    },

    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`redis did not answer PING within ${checkTimeoutMs}ms`)),
          checkTimeoutMs,
        );
      });
      try {
        await Promise.race([client.ping(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      // QUIT waits for pending replies, but only a ready connection can send it; otherwise
      // (never connected, or reconnecting to a dead server) just stop the reconnect loop.
      if (client.status === 'ready') {
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
    },
  };
}

function toRedisMs(ttlMs: number): number {
  // PX and PEXPIRE take positive integers; round up so a short TTL never becomes zero.
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs))
    throw new RangeError(`ttl must be a positive number, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

/** SCAN MATCH is a glob: the prefix's own `*`, `?`, `[` and `\\` must match literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
