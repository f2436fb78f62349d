import type { Cache } from './cache.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';

export interface CreateCacheOptions {
  /** Redis when set; otherwise an in-process cache, which only suits a single process. */
  redisUrl?: string | undefined;
  keyPrefix: string;
  onError?: (err: Error) => void;
}

export function createCache({ redisUrl, keyPrefix, onError }: CreateCacheOptions): Cache {
  if (redisUrl) return createRedisCache({ url: redisUrl, keyPrefix, onError });
  return createMemoryCache({ keyPrefix });
}
