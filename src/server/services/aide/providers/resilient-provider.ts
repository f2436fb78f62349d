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
import type {
  InsightsRephraser,
  InsightToRephrase,
  ProviderAnswer,
  ProviderInput,
  Rephrasing,
  SqlProvider,
} from './provider.types.js';

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

// A malformed answer or a 4xx (bad key, unknown model) would fail the same way when asked again.
const isWorthRetrying = (err: Error) =>
  !isInvalidAnswer(err) && !(APICallError.isInstance(err) && !err.isRetryable);

export interface ResilientSqlProvider extends SqlProvider {
  /** Stops the breaker's timers (module stop). */
  shutdown(): void;
}

/**
 * Every call of `provider` gets a per-attempt timeout, retries with backoff and jitter, and a
 * circuit breaker named `llm.<provider>`. A malformed answer or a 4xx is not retried.
 */
export function withResilience(provider: SqlProvider, options: ResilienceOptions): ResilientSqlProvider {
  const call: ResilientCall<[ProviderInput], ProviderAnswer> = createResilientCall(
    `llm.${provider.name}`,
    (signal, input: ProviderInput) => provider.generateSql(input, signal),
    { ...options, shouldRetry: isWorthRetrying },
  );
  return {
    ...provider,
    generateSql: (input) => call.call(input),
    shutdown: () => call.shutdown(),
  };
}

export interface ResilientInsightsRephraser extends InsightsRephraser {
  shutdown(): void;
}

/**
 * The same timeout and retries for rephrasing, behind its own breaker `llm.<provider>.insights`:
 * a rephrasing fails in its own ways (a longer answer, a stricter schema a small local model may
 * keep missing), and a run of those must not cut nl2sql off a provider that answers it well. An
 * outage opens both breakers after a few failed calls each, a small price for that isolation.
 */
export function withRephraserResilience(
  rephraser: InsightsRephraser,
  options: ResilienceOptions,
): ResilientInsightsRephraser {
  const call: ResilientCall<[InsightToRephrase[]], Rephrasing> = createResilientCall(
    `llm.${rephraser.name}.insights`,
    (signal, insights: InsightToRephrase[]) => rephraser.rephrase(insights, signal),
    { ...options, shouldRetry: isWorthRetrying },
  );
  return {
    ...rephraser,
    rephrase: (insights) => call.call(insights),
    shutdown: () => call.shutdown(),
  };
}
