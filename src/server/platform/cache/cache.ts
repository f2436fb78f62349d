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
  /** Throws when the cache cannot be reached. */
  check(): Promise<void>;
  close(): Promise<void>;
}
