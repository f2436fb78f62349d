import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  CircuitOpenError,
  type CircuitState,
  createResilientCall,
  type ResilientCall,
  TimeoutError,
} from './resilient-call.js';

// Small delays keep the suite fast; a breaker that never trips unless a test asks for it.
const FAST = { timeoutMs: 200, minDelayMs: 1, maxDelayMs: 5 };
const LENIENT_BREAKER = { errorThresholdPercentage: 100, resetTimeoutMs: 1_000, volumeThreshold: 1_000 };

const created: ResilientCall<never[], unknown>[] = [];
function track<A extends unknown[], R>(call: ResilientCall<A, R>): ResilientCall<A, R> {
  created.push(call as unknown as ResilientCall<never[], unknown>);
  return call;
}
afterEach(() => {
  for (const call of created.splice(0)) call.shutdown();
});

/** A function that fails its first `failures` calls, then returns 'ok'. */
function flaky(failures: number) {
  let calls = 0;
  const fn = async (_signal: AbortSignal) => {
    calls++;
    if (calls <= failures) throw new Error(`failure ${calls}`);
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('createResilientCall', () => {
  it('passes arguments through and returns the result', async () => {
    const call = track(
      createResilientCall('sum', async (_signal, a: number, b: number) => a + b, {
        ...FAST,
        retries: 0,
        breaker: LENIENT_BREAKER,
      }),
    );
    expect(await call.call(2, 3)).toBe(5);
  });

  it('retries until the function succeeds', async () => {
    const { fn, calls } = flaky(2);
    const call = track(createResilientCall('flaky', fn, { ...FAST, retries: 3, breaker: LENIENT_BREAKER }));
    expect(await call.call()).toBe('ok');
    expect(calls()).toBe(3);
  });

  it('gives up after the configured retries with the last error', async () => {
    const { fn, calls } = flaky(10);
    const call = track(createResilientCall('down', fn, { ...FAST, retries: 2, breaker: LENIENT_BREAKER }));
    await expect(call.call()).rejects.toThrow('failure 3');
    expect(calls()).toBe(3);
  });

  it('aborts a hung attempt: the function sees its signal abort with a TimeoutError', async () => {
    const signals: AbortSignal[] = [];
    // Never settles, even when aborted, to prove the caller is not held by a function that
    // ignores its signal.
    const hung = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<string>(() => {});
    };
    const call = track(
      createResilientCall('hung', hung, { ...FAST, timeoutMs: 20, retries: 1, breaker: LENIENT_BREAKER }),
    );

    const error = await call.call().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(signals).toHaveLength(2); // timeouts are retried, each attempt with its own signal
    for (const signal of signals) {
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(TimeoutError);
    }
  });

  it('does not retry errors the caller marks as not retryable', async () => {
    class BadRequest extends Error {}
    let calls = 0;
    const call = track(
      createResilientCall(
        'bad-request',
        async () => {
          calls++;
          throw new BadRequest('400');
        },
        { ...FAST, retries: 5, breaker: LENIENT_BREAKER, shouldRetry: (err) => !(err instanceof BadRequest) },
      ),
    );
    await expect(call.call()).rejects.toBeInstanceOf(BadRequest);
    expect(calls).toBe(1);
  });

  it("does not retry p-retry's AbortError, and rejects with the error it wraps", async () => {
    let calls = 0;
    const call = track(
      createResilientCall(
        'aborted',
        async () => {
          calls++;
          throw new AbortError(new Error('permanent'));
        },
        { ...FAST, retries: 5, breaker: LENIENT_BREAKER },
      ),
    );
    await expect(call.call()).rejects.toThrow('permanent');
    expect(calls).toBe(1);
  });

  describe('circuit breaker', () => {
    const BREAKER = { errorThresholdPercentage: 50, resetTimeoutMs: 50, volumeThreshold: 2 };

    it('opens after failures, fails fast while open, then half-opens and closes on success', async () => {
      let failing = true;
      let calls = 0;
      const states: CircuitState[] = [];
      const call = track(
        createResilientCall(
          'breaker',
          async () => {
            calls++;
            if (failing) throw new Error('down');
            return 'up';
          },
          { ...FAST, retries: 0, breaker: BREAKER, onStateChange: (state) => states.push(state) },
        ),
      );

      await expect(call.call()).rejects.toThrow('down');
      expect(call.state()).toBe('closed'); // below volumeThreshold
      await expect(call.call()).rejects.toThrow('down');
      expect(call.state()).toBe('open');

      await expect(call.call()).rejects.toBeInstanceOf(CircuitOpenError);
      expect(calls).toBe(2);

      await sleep(120);
      expect(call.state()).toBe('half-open');
      failing = false;
      expect(await call.call()).toBe('up');
      expect(call.state()).toBe('closed');
      expect(states).toEqual(['open', 'half-open', 'closed']);
    });

    it('stops retrying once the breaker opens during a call', async () => {
      let calls = 0;
      const call = track(
        createResilientCall(
          'storm',
          async () => {
            calls++;
            throw new Error('down');
          },
          { ...FAST, retries: 10, breaker: BREAKER },
        ),
      );
      const error = await call.call().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect((error as CircuitOpenError).cause).toBeInstanceOf(Error);
      expect(calls).toBe(2);
    });

    it('reopens when the half-open trial fails', async () => {
      const call = track(
        createResilientCall(
          'still-down',
          async () => {
            throw new Error('down');
          },
          { ...FAST, retries: 0, breaker: BREAKER },
        ),
      );
      await call.call().catch(() => {});
      await call.call().catch(() => {});
      expect(call.state()).toBe('open');
      await sleep(120);
      expect(call.state()).toBe('half-open');
      await expect(call.call()).rejects.toThrow('down');
      expect(call.state()).toBe('open');
    });
  });
});
