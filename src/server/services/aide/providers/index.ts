import type { Config } from '../../../platform/config/load-config.js';
import { createBuiltinProvider } from './builtin-provider.js';
import { createLlmProvider } from './llm-provider.js';
import { loadPromptFile } from './prompt-file.js';
import type { SqlProvider } from './provider.types.js';
import {
  defaultResilience,
  type ResilienceOptions,
  type ResilientSqlProvider,
  withResilience,
} from './resilient-provider.js';

export { BUILTIN_PROMPT_VERSION, createBuiltinProvider } from './builtin-provider.js';
export type { ProviderAnswer, ProviderInput, SqlProvider, TokenUsage } from './provider.types.js';
export { classifyProviderFailure, type ProviderFailure } from './resilient-provider.js';

export const NL2SQL_PROMPT_VERSION = 'nl2sql.v1';

export interface SqlProviders {
  /** The configured provider (the built-in engine when none is). */
  primary: SqlProvider;
  /** What answers when the primary fails. */
  builtin: SqlProvider;
  shutdown(): void;
}

/**
 * The provider chosen by config, wrapped for resilience, and the built-in engine it falls back
 * to. `resilience` is for tests that need a small breaker; the default follows LLM_TIMEOUT_MS.
 */
export function createSqlProviders(llm: Config['llm'], resilience?: ResilienceOptions): SqlProviders {
  const builtin = createBuiltinProvider();
  if (llm.provider === 'builtin') return { primary: builtin, builtin, shutdown() {} };
  if (!llm.model) throw new Error(`LLM_MODEL is required for LLM_PROVIDER=${llm.provider}`);
  const primary: ResilientSqlProvider = withResilience(
    createLlmProvider(
      { provider: llm.provider, model: llm.model, baseUrl: llm.baseUrl, apiKey: llm.apiKey },
      loadPromptFile(NL2SQL_PROMPT_VERSION),
    ),
    resilience ?? defaultResilience(llm.timeoutMs),
  );
  return { primary, builtin, shutdown: () => primary.shutdown() };
}
