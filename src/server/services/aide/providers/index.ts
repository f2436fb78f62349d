import type { Config } from '../../../platform/config/load-config.js';
import { createBuiltinProvider } from './builtin-provider.js';
import { createLlmProvider, type LlmSettings } from './llm-provider.js';
import { createLlmRephraser } from './llm-rephraser.js';
import { loadPromptFile } from './prompt-file.js';
import type { InsightsRephraser, SqlProvider } from './provider.types.js';
import {
  defaultResilience,
  type ResilienceOptions,
  type ResilientSqlProvider,
  withRephraserResilience,
  withResilience,
} from './resilient-provider.js';

export { BUILTIN_PROMPT_VERSION, createBuiltinProvider } from './builtin-provider.js';
export type {
  InsightsRephraser,
  InsightToRephrase,
  ProviderAnswer,
  ProviderInput,
  RephrasedText,
  Rephrasing,
  SqlProvider,
  TokenUsage,
} from './provider.types.js';
export { classifyProviderFailure, type ProviderFailure } from './resilient-provider.js';

export const NL2SQL_PROMPT_VERSION = 'nl2sql.v1';
export const INSIGHTS_PROMPT_VERSION = 'insights.v1';

export interface SqlProviders {
  /** The configured provider (the built-in engine when none is). */
  primary: SqlProvider;
  /** What answers when the primary fails. */
  builtin: SqlProvider;
  /** Rewrites insights' template texts: the configured LLM; null for the built-in engine. */
  rephraser: InsightsRephraser | null;
  shutdown(): void;
}

/**
 * The provider chosen by config, wrapped for resilience, and the built-in engine it falls back
 * to. `resilience` is for tests that need a small breaker; the default follows LLM_TIMEOUT_MS.
 */
export function createSqlProviders(llm: Config['llm'], resilience?: ResilienceOptions): SqlProviders {
  const builtin = createBuiltinProvider();
  if (llm.provider === 'builtin') return { primary: builtin, builtin, rephraser: null, shutdown() {} };
  if (!llm.model) throw new Error(`LLM_MODEL is required for LLM_PROVIDER=${llm.provider}`);
  const settings: LlmSettings = {
    provider: llm.provider,
    model: llm.model,
    baseUrl: llm.baseUrl,
    apiKey: llm.apiKey,
  };
  const options = resilience ?? defaultResilience(llm.timeoutMs);
  const primary: ResilientSqlProvider = withResilience(
    createLlmProvider(settings, loadPromptFile(NL2SQL_PROMPT_VERSION)),
    options,
  );
  const rephraser = withRephraserResilience(
    createLlmRephraser(settings, loadPromptFile(INSIGHTS_PROMPT_VERSION)),
    options,
  );
  return {
    primary,
    builtin,
    rephraser,
    shutdown: () => {
      primary.shutdown();
      rephraser.shutdown();
    },
  };
}
