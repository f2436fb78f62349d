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
