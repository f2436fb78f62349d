import {
  APICallError,
  JSONParseError,
  NoObjectGeneratedError,
  NoOutputGeneratedError,
  TypeValidationError,
} from 'ai';
import {
  CircuitOpenError,
  createResilientCall,
  type ResilientCall,
  type ResilientCallOptions,
  TimeoutError,
} from '../../../platform/resilience/resilient-call.js';
import { InvalidLlmAnswer } from './llm-answer.schema.js';
import type { ProviderAnswer, ProviderInput, SqlProvider } from './provider.types.js';

/** Why a provider gave no usable answer; said in the response's `fallback`. */
export type ProviderFailure = 'timeout' | 'circuit_open' | 'invalid_answer' | 'unavailable';

const isInvalidAnswer = (err: unknown) =>
  err instanceof InvalidLlmAnswer ||
  NoObjectGeneratedError.isInstance(err) ||
  NoOutputGeneratedError.isInstance(err) ||
  TypeValidationError.isInstance(err) ||
  JSONParseError.isInstance(err);

export function classifyProviderFailure(err: unknown): ProviderFailure {
  if (err instanceof TimeoutError) return 'timeout';
  if (err instanceof CircuitOpenError) return 'circuit_open';
  if (isInvalidAnswer(err)) return 'invalid_answer';
  return 'unavailable';
}

export type ResilienceOptions = Omit<ResilientCallOptions, 'shouldRetry' | 'onStateChange'>;

/** Two retries: enough for a blip, and a request still falls back within ~3 timeouts. */
export const defaultResilience = (timeoutMs: number): ResilienceOptions => ({
  timeoutMs,
  retries: 2,
  minDelayMs: 200,
  maxDelayMs: 2_000,
});

export interface ResilientSqlProvider extends SqlProvider {
  /** Stops the breaker's timers (module stop). */
  shutdown(): void;
}

/**
 * Every call of `provider` gets a per-attempt timeout, retries with backoff and jitter, and a
 * circuit breaker named `llm.<provider>`. A malformed answer or a 4xx (bad key, unknown model)
 * is not retried: asking again would fail the same way.
 */
export function withResilience(provider: SqlProvider, options: ResilienceOptions): ResilientSqlProvider {
  const call: ResilientCall<[ProviderInput], ProviderAnswer> = createResilientCall(
    `llm.${provider.name}`,
    (signal, input: ProviderInput) => provider.generateSql(input, signal),
    {
      ...options,
      shouldRetry: (err) => !isInvalidAnswer(err) && !(APICallError.isInstance(err) && !err.isRetryable),
    },
  );
  return {
    ...provider,
    generateSql: (input) => call.call(input),
    shutdown: () => call.shutdown(),
  };
}
