import { Counter, type Registry } from 'prom-client';

/**
 * AIDE's Prometheus instruments, registered once per process on the platform's registry
 * (`/metrics`). Labels stay low-cardinality: providers and models are configured, never users.
 */
export function createAideMetrics(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'aide_requests_total',
      help: 'AIDE questions and insight requests by feature, provider asked and outcome (answered, not_understood, cached)',
      labelNames: ['feature', 'provider', 'outcome'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: 'aide_llm_fallbacks_total',
      help: 'Requests the built-in engine answered because the LLM provider failed or was rate-limited',
      labelNames: ['provider', 'reason'] as const,
      registers,
    }),
    tokens: new Counter({
      name: 'aide_llm_tokens_total',
      help: 'Tokens LLM providers reported, by provider, model and direction (input, output)',
      labelNames: ['provider', 'model', 'direction'] as const,
      registers,
    }),
    costUsd: new Counter({
      name: 'aide_llm_cost_usd_total',
      help: 'Cost of LLM calls in USD at the configured prices (LLM_PRICE_*)',
      labelNames: ['provider', 'model'] as const,
      registers,
    }),
    cacheLookups: new Counter({
      name: 'aide_cache_lookups_total',
      help: 'AIDE answer and insight cache lookups by kind (nl2sql, insights) and result (hit, miss)',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'aide_rate_limited_total',
      help: 'Requests refused (scope user) or sent to the built-in engine (scope provider) by a token bucket',
      labelNames: ['scope'] as const,
      registers,
    }),
  };
}

export type AideMetrics = ReturnType<typeof createAideMetrics>;
