import type { Logger } from 'pino';
import type { Cache, TokenBucket } from '../../platform/cache/cache.js';
import type { Config } from '../../platform/config/load-config.js';
import { TooManyRequests } from '../../platform/http/errors.js';
import type { AideMetrics } from './aide-metrics.js';

export interface RateLimitDeps {
  cache: Cache;
  log: Logger;
  metrics: AideMetrics;
  userRate: Config['aide']['userRate'];
  providerRate: Config['llm']['rate'];
}

const bucketOf = ({ perMinute, burst }: { perMinute: number; burst: number }): TokenBucket => ({
  capacity: burst,
  refillPerSecond: perMinute / 60,
});

/**
 * AIDE's token buckets, kept in the platform cache (Redis when configured, so every process
 * shares them): one per user over the requests that compute (questions, insights, the dataset
 * summary), one per LLM provider and model over the calls made to it. When the cache cannot
 * be reached the request goes on unthrottled, as the platform's HTTP rate limit does: an
 * outage of Redis must not take AIDE down.
 */
export function createRateLimits({ cache, log, metrics, userRate, providerRate }: RateLimitDeps) {
  const userBucket = bucketOf(userRate);
  const providerBucket = bucketOf(providerRate);

  async function take(key: string, bucket: TokenBucket) {
    try {
      return await cache.takeTokens(key, bucket);
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, 'rate limit not checked: the cache is unreachable');
      return undefined;
    }
  }

  return {
    /** Throws 429 (with retry-after) when the user has used up their bucket. */
    async admitUser(userId: string): Promise<void> {
      const taken = await take(`aide:rate:user:${userId}`, userBucket);
      if (!taken || taken.allowed) return;
      metrics.rateLimited.inc({ scope: 'user' });
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      throw new TooManyRequests(
        seconds,
        `Too many AIDE requests: at most ${userRate.perMinute} a minute (bursts of ${userRate.burst}); retry in ${seconds} seconds.`,
      );
    },

    /** False when the provider's bucket is empty: the caller then answers without it. */
    async admitProvider(provider: { name: string; model: string | null }): Promise<boolean> {
      const taken = await take(`aide:rate:llm:${provider.name}:${provider.model ?? ''}`, providerBucket);
      if (!taken || taken.allowed) return true;
      metrics.rateLimited.inc({ scope: 'provider' });
      return false;
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
