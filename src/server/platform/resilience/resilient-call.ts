import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';

// Re-exported so callers mark an error as not worth retrying without importing p-retry directly.
export { AbortError } from 'p-retry';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface ResilientCallOptions {
  /** Deadline for one attempt; the signal passed to the function aborts when it passes. */
  timeoutMs: number;
  /** Attempts after the first; 0 disables retrying. */
  retries: number;
  /** Delay before the first retry, doubled for each further one and randomised (x1 to x2). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Defaults to 50 %, 30 s, 10 attempts. Every failed attempt counts, retryable or not. */
  breaker?: {
    /** Opens when the failed share of recent attempts goes above this. */
    errorThresholdPercentage: number;
    /** How long it stays open before letting one trial attempt through (half-open). */
    resetTimeoutMs: number;
    /** Attempts needed in the rolling window (10 s) before it may open at all. */
    volumeThreshold: number;
  };
  /**
   * False for errors that another attempt cannot fix (a 4xx, a validation error). A TypeError
   * other than a network failure is never retried (p-retry treats it as a bug), whatever this says.
   */
  shouldRetry?(err: Error): boolean;
  onStateChange?(state: CircuitState): void;
}

export interface ResilientCall<A extends unknown[], R> {
  call(...args: A): Promise<R>;
  state(): CircuitState;
  /** Stops the breaker's timers; later calls reject. */
  shutdown(): void;
}

/** One attempt ran past `timeoutMs`. Also the abort reason of the signal the function received. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly callName: string,
    readonly timeoutMs: number,
  ) {
    super(`${callName}: attempt timed out after ${timeoutMs}ms`);
  }
}

/** The breaker is open: the dependency failed recently, so the call was not attempted. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly callName: string,
    options?: ErrorOptions,
  ) {
    super(`${callName}: circuit open, failing fast`, options);
  }
}

const DEFAULT_BREAKER = { errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 10 };

/**
 * Wraps an outbound call (LLM, webhook, SMTP, broker, another service) with a per-attempt timeout,
 * retries with exponential backoff and jitter, and a circuit breaker.
 *
 * The retry loop sits outside the breaker, so the breaker sees every attempt: a dependency that
 * keeps failing opens it part-way through a caller's retries, which then stop instead of adding
 * load. `name` appears in errors; use the dependency's name (`llm.openai`, `smtp`).
 */
export function createResilientCall<A extends unknown[], R>(
  name: string,
  fn: (signal: AbortSignal, ...args: A) => Promise<R>,
  options: ResilientCallOptions,
): ResilientCall<A, R> {
  const { timeoutMs } = options;
  const breakerOptions = options.breaker ?? DEFAULT_BREAKER;

  const attempt = async (...args: A): Promise<R> => {
    const controller = new AbortController();
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const timer = setTimeout(() => controller.abort(new TimeoutError(name, timeoutMs)), timeoutMs);
    try {
      // Racing the abort means a function that ignores its signal still cannot hold the caller.
      return await Promise.race([fn(controller.signal, ...args), aborted]);
    } finally {
      clearTimeout(timer);
    }
  };

  const breaker = new CircuitBreaker<A, R>(attempt, {
    name,
    // The per-attempt timeout above replaces opossum's, which cannot abort the work it gives up on.
    timeout: false,
    errorThresholdPercentage: breakerOptions.errorThresholdPercentage,
    resetTimeout: breakerOptions.resetTimeoutMs,
    volumeThreshold: breakerOptions.volumeThreshold,
  });
  if (options.onStateChange) {
    const notify = options.onStateChange;
    breaker.on('open', () => notify('open'));
    breaker.on('halfOpen', () => notify('half-open'));
    breaker.on('close', () => notify('closed'));
  }

  return {
    async call(...args: A): Promise<R> {
      let lastError: unknown;
      return pRetry(
        async () => {
          try {
            return await breaker.fire(...args);
          } catch (err) {
            if (isBreakerError(err, 'EOPENBREAKER')) {
              // Keep the failure that opened it (during this call) visible to whoever logs this.
              throw new CircuitOpenError(name, lastError === undefined ? undefined : { cause: lastError });
            }
            lastError = err;
            throw err;
          }
        },
        {
          retries: options.retries,
          minTimeout: options.minDelayMs ?? 100,
          maxTimeout: options.maxDelayMs ?? 5_000,
          factor: 2,
          randomize: true,
          shouldRetry: ({ error }) =>
            !(error instanceof CircuitOpenError) &&
            !isBreakerError(error, 'ESHUTDOWN') &&
            (options.shouldRetry?.(error) ?? true),
        },
      );
    },

    state(): CircuitState {
      if (breaker.opened) return 'open';
      if (breaker.halfOpen) return 'half-open';
      return 'closed';
    },

    shutdown() {
      breaker.shutdown();
    },
  };
}

function isBreakerError(err: unknown, code: 'EOPENBREAKER' | 'ESHUTDOWN'): boolean {
  return err instanceof Error && CircuitBreaker.isOurError(err) && (err as { code?: string }).code === code;
}
