import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Cache } from './cache.js';

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;
type ChildOptions = Parameters<FastifyRateLimitStore['child']>[0];

/**
 * What @fastify/rate-limit really passes to the constructor (its global params) and to `child`
 * (those merged with the route's `config.rateLimit`, plus `routeInfo`); its typings say
 * RouteOptions for `child`, which is not what index.js hands over.
 */
interface StoreParams {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  /** Set for a route with its own `config.rateLimit`; empty for `createRateLimit(options)`. */
  routeInfo?: { method?: string | string[]; url?: string };
}

/**
 * Makes @fastify/rate-limit count in our cache, so every process behind a load balancer shares
 * the same counters when Redis is configured. Pass the returned class as the plugin's `store`.
 */
export function createRateLimitStore(cache: Cache): FastifyRateLimitStoreCtor {
  return class CacheRateLimitStore implements FastifyRateLimitStore {
    private readonly scope: string;

    constructor(params: StoreParams, scope = 'global') {
      // Cache.increment is a plain fixed window; silently ignoring these would enforce a weaker
      // limit than the route asked for, so refuse at registration instead.
      if (params.continueExceeding || params.exponentialBackoff) {
        throw new Error(
          'the cache rate-limit store supports neither continueExceeding nor exponentialBackoff',
        );
      }
      this.scope = scope;
    }

    incr(key: string, callback: StoreCallback, timeWindow: number): void {
      cache.increment(this.cacheKey(key), timeWindow).then(
        ({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }),
        (err: Error) => callback(err),
      );
    }

    /**
     * Non-mutating peek, used by `createRateLimit(...)(req, { increment: false })`. The cache has
     * no TTL read, so the full window is reported: an upper bound, which at worst makes a client
     * wait a little longer than needed.
     */
    read(key: string, callback: StoreCallback, timeWindow: number): void {
      cache.get<number>(this.cacheKey(key)).then(
        (count) =>
          callback(null, count === undefined ? { current: 0, ttl: 0 } : { current: count, ttl: timeWindow }),
        (err: Error) => callback(err),
      );
    }

    child(routeOptions: ChildOptions): FastifyRateLimitStore {
      const params = routeOptions as unknown as StoreParams;
      // A route with its own limit counts separately from the global limit and from other routes,
      // as the plugin's own stores do. Limiters from `createRateLimit(options)` carry no route, so
      // they share one scope (as with the plugin's Redis store): give each its own keyGenerator
      // output if two of them must count separately.
      const { method, url } = params.routeInfo ?? {};
      const scope = url ? `${[method ?? ''].flat().join(',')} ${url}` : 'limiter';
      return new CacheRateLimitStore(params, scope);
    }

    private cacheKey(key: string): string {
      return `rate-limit:${this.scope}:${key}`;
    }
  };
}
