import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiKeyIntrospection, IntrospectApiKeyBody, unknownApiKeyCode } from '../../../contracts/axi/auth.js';
import type { Cache } from '../cache/cache.js';
import { ServiceUnavailable } from '../http/errors.js';
import {
  AbortError,
  CircuitOpenError,
  createResilientCall,
  type ResilientCallOptions,
} from '../resilience/resilient-call.js';
import type { ApiKeyResolver } from './api-key-resolver.js';
import type { Actor } from './token-verifier.js';

export interface RemoteApiKeyResolverOptions {
  /** AXI's `POST /api/v1/api-keys/introspect`. */
  url: string;
  /** The platform cache (Redis in split mode), shared by every replica. */
  cache: Cache;
  log: Logger;
  /** Per attempt (default 2 s): a request is waiting on it. */
  timeoutMs?: number;
  /** Attempts after the first (default 1). */
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  breaker?: ResilientCallOptions['breaker'];
  /** How long a usable key's answer is reused (default 30 s): also how long a revoked key keeps working. */
  positiveTtlMs?: number;
  /** How long a refusal is reused (default 5 s), so a flood of bad keys does not reach AXI. */
  negativeTtlMs?: number;
}

/** What is cached under the key's hash: the actor, or that AXI refused the key. */
type Answer = { actor: Actor } | { unknown: true };

/** AXI answered in a way that says the URL or AXI itself is wrong, not the key. */
class IntrospectionFailed extends Error {
  override readonly name = 'IntrospectionFailed';
}

/**
 * Resolves `X-API-Key` callers by asking AXI over HTTP, for processes that run without AXI. Answers
 * are cached under the key's SHA-256 (never the key), so a high-rate ingest asks AXI about a key
 * at most once per TTL per cache, and concurrent first requests with one key share one call. When
 * AXI cannot answer (down, slow, throttling us, breaker open) the request gets a 503, not a 401:
 * the key may be fine, and a client told "unauthorised" would not retry.
 */
export function createRemoteApiKeyResolver(options: RemoteApiKeyResolverOptions): ApiKeyResolver & {
  shutdown(): void;
} {
  const { cache, log } = options;
  const positiveTtlMs = options.positiveTtlMs ?? 30_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const inFlight = new Map<string, Promise<Answer>>();

  const introspect = createResilientCall(
    'axi.api-key-introspection',
    async (signal: AbortSignal, key: string): Promise<Answer> => {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ key } satisfies IntrospectApiKeyBody),
        // A redirect could carry the key somewhere else.
        redirect: 'error',
        signal,
      });
      const text = await res.text();
      if (res.status === 200) {
        const parsed = ApiKeyIntrospection.safeParse(parseJson(text));
        if (!parsed.success)
          throw new AbortError(new IntrospectionFailed('AXI answered 200 with an unexpected body'));
        const { userId, roles, scopes } = parsed.data;
        return { actor: { id: userId, roles, scopes } };
      }
      // Only AXI's own "no usable key" counts as a refusal: a 404 from a wrong URL must not turn
      // every key into a 401 (and be cached as one).
      if (
        res.status === 404 &&
        (parseJson(text) as { type?: unknown })?.type === `/problems/${unknownApiKeyCode}`
      )
        return { unknown: true };
      const failure = new IntrospectionFailed(`AXI answered ${res.status} to a key introspection`);
      // 5xx and 408 may pass on a retry; anything else (a 429, a wrong URL) will not.
      if (res.status >= 500 || res.status === 408) throw failure;
      throw new AbortError(failure);
    },
    {
      timeoutMs: options.timeoutMs ?? 2_000,
      retries: options.retries ?? 1,
      minDelayMs: options.minDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 500,
      ...(options.breaker ? { breaker: options.breaker } : {}),
      onStateChange: (state) => {
        if (state === 'open')
          log.warn('AXI key introspection failing: circuit open, X-API-Key requests get 503');
        else if (state === 'closed') log.info('AXI key introspection recovered: circuit closed');
      },
    },
  );

  async function ask(key: string, cacheKey: string): Promise<Answer> {
    let answer: Answer;
    try {
      answer = await introspect.call(key);
    } catch (err) {
      if (!(err instanceof CircuitOpenError)) log.warn({ err }, 'AXI key introspection failed');
      throw new ServiceUnavailable(
        'API keys cannot be checked right now (AXI is not answering); try again shortly.',
      );
    }
    await cache
      .set(cacheKey, answer, 'actor' in answer ? positiveTtlMs : negativeTtlMs)
      .catch((err: unknown) => log.warn({ err }, 'caching an API key answer failed'));
    return answer;
  }

  return {
    async resolve(key) {
      // Malformed keys are refused here, without a call AXI would only refuse too.
      if (!IntrospectApiKeyBody.safeParse({ key }).success) return undefined;
      const cacheKey = `auth:api-key:${createHash('sha256').update(key).digest('hex')}`;
      // An unreachable cache costs a call to AXI, not the request.
      const cached = await cache.get<Answer>(cacheKey).catch((err: unknown) => {
        log.warn({ err }, 'reading a cached API key answer failed');
        return undefined;
      });
      let answer = cached;
      if (!answer) {
        let pending = inFlight.get(cacheKey);
        if (!pending) {
          pending = ask(key, cacheKey).finally(() => inFlight.delete(cacheKey));
          inFlight.set(cacheKey, pending);
        }
        answer = await pending;
      }
      return 'actor' in answer ? answer.actor : undefined;
    },
    shutdown: () => introspect.shutdown(),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
