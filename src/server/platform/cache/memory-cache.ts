import { assertTokenBucket, type Cache } from './cache.js';

export interface MemoryCacheOptions {
  /** Prepended verbatim to every key, as the Redis cache does; cosmetic in a single process. */
  keyPrefix?: string;
  /** Clock in epoch milliseconds; injectable so callers' tests can move time without waiting. */
  now?: () => number;
  /** How often expired keys that nobody reads again are dropped. */
  sweepIntervalMs?: number;
}

interface Entry {
  // Stored as JSON text, like Redis, so callers cannot mutate a cached object through a
  // reference and values round-trip identically (a Date comes back as a string either way).
  text: string;
  expiresAtMs: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** In-process cache for a single-process deployment and for tests. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const keyPrefix = options.keyPrefix ?? '';
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const liveEntry = (fullKey: string): Entry | undefined => {
    const entry = entries.get(fullKey);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= now()) {
      entries.delete(fullKey);
      return undefined;
    }
    return entry;
  };

  const sweep = () => {
    const nowMs = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAtMs <= nowMs) entries.delete(key);
    }
  };
  // Lazy eviction alone would keep every key written once and never read again (one rate-limit
  // counter per client IP, say); unref() so the timer never holds the process open.
  const sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  sweepTimer.unref();

  return {
    kind: 'memory',

    async get<T>(key: string) {
      const entry = liveEntry(keyPrefix + key);
      return entry ? (JSON.parse(entry.text) as T) : undefined;
    },

    async set(key, value, ttlMs) {
      assertTtl(ttlMs);
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError(`cache value for "${key}" is not JSON-serialisable`);
      entries.set(keyPrefix + key, { text, expiresAtMs: now() + ttlMs });
    },

    async delete(key) {
      entries.delete(keyPrefix + key);
    },

    async increment(key, windowMs) {
      assertTtl(windowMs);
      const fullKey = keyPrefix + key;
      const nowMs = now();
      const entry = liveEntry(fullKey);
      if (!entry) {
        entries.set(fullKey, { text: '1', expiresAtMs: nowMs + windowMs });
        return { count: 1, ttlMs: windowMs };
      }
      // Same rule as Redis INCR: only an integer value can be counted.
      const count = Number(entry.text);
      if (!Number.isSafeInteger(count)) throw new TypeError(`cache value for "${key}" is not an integer`);
      entry.text = String(count + 1);
      return { count: count + 1, ttlMs: entry.expiresAtMs - nowMs };
    },

    async takeTokens(key, bucket, cost = 1) {
      assertTokenBucket(bucket, cost);
      const fullKey = keyPrefix + key;
      const nowMs = now();
      const perMs = bucket.refillPerSecond / 1000;
      const stored = liveEntry(fullKey);
      const state = stored ? (JSON.parse(stored.text) as { tokens: number; atMs: number }) : undefined;
      let tokens = state
        ? Math.min(bucket.capacity, state.tokens + Math.max(0, nowMs - state.atMs) * perMs)
        : bucket.capacity;
      const allowed = tokens >= cost;
      if (allowed) tokens -= cost;
      // A bucket left alone refills completely; keeping it longer would change nothing.
      const fullInMs = Math.ceil((bucket.capacity - tokens) / perMs) + 1_000;
      entries.set(fullKey, { text: JSON.stringify({ tokens, atMs: nowMs }), expiresAtMs: nowMs + fullInMs });
      return {
        allowed,
        remaining: Math.floor(tokens),
        retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / perMs),
      };
    },

    async deleteByPrefix(prefix) {
      let deleted = 0;
      for (const key of entries.keys()) {
        if (key.startsWith(keyPrefix + prefix) && entries.delete(key)) deleted++;
      }
      return deleted;
    },

    async check() {},

    async close() {
      clearInterval(sweepTimer);
      entries.clear();
    },
  };
}

function assertTtl(ttlMs: number): void {
  // Redis rejects a non-positive expiry, so the memory cache does too rather than behave differently.
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs))
    throw new RangeError(`ttl must be a positive number, got ${ttlMs}`);
}
