import { Redis } from 'ioredis';
import type { Cache } from './cache.js';

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

  return {
    kind: 'redis',

    async get<T>(key: string) {
      const text = await client.get(keyPrefix + key);
      return text === null ? undefined : (JSON.parse(text) as T);
    },

    async set(key, value, ttlMs) {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError(`cache value for "${key}" is not JSON-serialisable`);
      await client.set(keyPrefix + key, text, 'PX', toRedisMs(ttlMs));
    },

    async delete(key) {
      await client.del(keyPrefix + key);
    },

    async increment(key, windowMs) {
      const [count, ttlMs] = await incrementCommand(keyPrefix + key, toRedisMs(windowMs));
      return { count, ttlMs };
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
