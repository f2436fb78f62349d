import type { InsightFacts } from '../../../../contracts/aide/insights.js';
import type { ChartSuggestion, DatasetDescription } from '../engine/engine.types.js';

export type ProviderName = 'builtin' | 'openai' | 'anthropic' | 'openai-compatible';

/** Tokens one answer cost, as the provider reported them (unknown: absent). */
export interface TokenUsage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

export interface ProviderInput {
  question: string;
  dataset: DatasetDescription;
  /** Earlier questions of the conversation, oldest first. */
  context?: string[];
  /** Set on the one repair attempt: the SQL it wrote and why the sandbox or the database refused it. */
  previousError?: { sql: string; message: string };
}

/** The engine's answer shape (without its matches), plus the tokens it cost when known. */
export type ProviderAnswer = (
  | { understood: true; sql: string; chart: ChartSuggestion; explanation: string }
  | { understood: false; reason: string; suggestions: string[] }
) & { usage?: TokenUsage };

/** One way to turn a question into SQL (Strategy): the built-in engine or an LLM. */
export interface SqlProvider {
  name: ProviderName;
  /** The model asked; null for the built-in engine. */
  model: string | null;
  /** Version of the prompt file (or of the engine) the answers come from. */
  promptVersion: string;
  /** Whether a refused SQL is worth one more attempt with the error (a deterministic engine would repeat itself). */
  repairs: boolean;
  generateSql(input: ProviderInput, signal?: AbortSignal): Promise<ProviderAnswer>;
}

/** One insight as the rephraser sees it: its template text and its facts (no chart, no score). */
export interface InsightToRephrase {
  kind: string;
  title: string;
  explanation: string;
  facts: InsightFacts;
}

/** The model's text for the insight at `index` of the request; not yet checked against its facts. */
export interface RephrasedText {
  index: number;
  title: string;
  explanation: string;
}

export interface Rephrasing {
  texts: RephrasedText[];
  usage?: TokenUsage;
}

/**
 * Rewrites insights' template texts for a business reader, one call for all of them. Only an LLM
 * rephrases (the built-in engine has nothing to add to its templates); its text is untrusted
 * until the insights service has checked every number against the facts.
 */
export interface InsightsRephraser {
  name: Exclude<ProviderName, 'builtin'>;
  model: string;
  /** Version of the prompt file the texts come from (`insights.v1`). */
  promptVersion: string;
  rephrase(insights: InsightToRephrase[], signal?: AbortSignal): Promise<Rephrasing>;
}
