/**
 * The platform's cache: Redis when REDIS_URL is set, in-process otherwise. Keys are plain
 * strings; implementations add the configured prefix. Values are JSON-serialisable.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Atomically adds one to a counter that lives `windowMs` from its first increment (a fixed
   * window). Returns the new count and the milliseconds left in the window.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /**
   * Atomically takes `cost` tokens from the token bucket at `key`, which holds at most
   * `bucket.capacity` tokens (a new bucket starts full) and regains `bucket.refillPerSecond`
   * continuously. Refused when fewer than `cost` are left, nothing is taken then, and
   * `retryAfterMs` says when there will be enough. Redis counts on its own clock, so every
   * process shares one bucket.
   */
  takeTokens(key: string, bucket: TokenBucket, cost?: number): Promise<TokenBucketTake>;
  /**
   * Deletes every key that starts with `prefix` (e.g. everything cached about one dataset).
   * Redis walks the keyspace with SCAN: meant for rare invalidations, not for a request path.
   */
  deleteByPrefix(prefix: string): Promise<number>;
  /** Throws when the cache cannot be reached. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface TokenBucket {
  capacity: number;
  refillPerSecond: number;
}

export interface TokenBucketTake {
  allowed: boolean;
  /** Whole tokens left after this take. */
  remaining: number;
  /** 0 when allowed; else milliseconds until `cost` tokens are back. */
  retryAfterMs: number;
}

export function assertTokenBucket({ capacity, refillPerSecond }: TokenBucket, cost: number): void {
  if (
    !(capacity > 0) ||
    !(refillPerSecond > 0) ||
    !Number.isFinite(capacity) ||
    !Number.isFinite(refillPerSecond)
  )
    throw new RangeError(
      `a token bucket needs a positive capacity and refill rate, got ${capacity}, ${refillPerSecond}`,
    );
  if (!(cost > 0) || cost > capacity) throw new RangeError(`cost must be in (0, ${capacity}], got ${cost}`);
}
