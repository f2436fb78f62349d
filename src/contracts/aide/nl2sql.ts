import { z } from 'zod';
import { ResultColumn } from './sandbox.js';

export const questionMaxLength = 500;

// Control characters (newlines and tabs included) become spaces: they carry no meaning in a
// question and are a favourite way to smuggle "new instructions" into a prompt.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A question as the user typed it, control characters removed, trimmed, 1..500 characters. */
export const Question = z
  .string()
  .transform((v) => v.replace(controlCharacters, ' ').replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(questionMaxLength, `must be at most ${questionMaxLength} characters`),
  );

export const Nl2SqlBody = z.object({
  datasetId: z.uuid(),
  question: Question,
  /** Earlier questions of the conversation, oldest first: follow-ups ("and by region?") are read against them. */
  context: z.array(Question).max(10, 'at most 10 previous questions').optional(),
});
export type Nl2SqlBody = z.infer<typeof Nl2SqlBody>;

export const ChartSuggestion = z.object({
  type: z.enum(['bar', 'line', 'table', 'number', 'pie']),
  /** Output column on the x axis (categories or time). */
  x: z.string().optional(),
  /** Output column on the y axis (the measure). */
  y: z.string().optional(),
});
export type ChartSuggestion = z.infer<typeof ChartSuggestion>;

/** Milliseconds spent in each step of the chain; steps that did not run count 0. */
export const Nl2SqlTimings = z.object({
  describeMs: z.number().nonnegative(),
  generateMs: z.number().nonnegative(),
  validateMs: z.number().nonnegative(),
  executeMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
});
export type Nl2SqlTimings = z.infer<typeof Nl2SqlTimings>;

/**
 * Present when the configured LLM provider gave no usable answer and the built-in engine
 * answered instead: which provider failed and why (`provider` then says `builtin`).
 */
export const ProviderFallback = z.object({
  from: z.string(),
  /** `rate_limited`: the provider's calls per minute (LLM_RATE_PER_MINUTE) were used up. */
  reason: z.enum(['timeout', 'circuit_open', 'invalid_answer', 'unavailable', 'rate_limited']),
});
export type ProviderFallback = z.infer<typeof ProviderFallback>;

/** Tokens the LLM calls of this answer cost (the repair attempt included); absent for the built-in engine. */
export const TokenUsage = z.object({
  inputTokens: z.number().int().nonnegative().nullable(),
  outputTokens: z.number().int().nonnegative().nullable(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

const answeredBy = {
  /** Which provider produced the SQL (`builtin` for the deterministic engine). */
  provider: z.string(),
  /** Version of the prompt (or of the built-in engine) that produced the answer. */
  promptVersion: z.string(),
  timings: Nl2SqlTimings,
  fallback: ProviderFallback.optional(),
  usage: TokenUsage.optional(),
  /** True when the answer came from the cache (same dataset version, question and provider): no tokens were spent. */
  cached: z.boolean().optional(),
};

export const Nl2SqlAnswered = z.object({
  understood: z.literal(true),
  sql: z.string(),
  columns: z.array(ResultColumn),
  rows: z.array(z.record(z.string(), z.unknown())),
  /** True when the result had more rows than the cap and only the first ones are here. */
  truncated: z.boolean(),
  chart: ChartSuggestion,
  /** One sentence saying how the question was read. */
  explanation: z.string(),
  /** The model used, when the provider is an LLM. */
  model: z.string().nullable(),
  ...answeredBy,
});

export const Nl2SqlNotUnderstood = z.object({
  understood: z.literal(false),
  reason: z.string(),
  /** Questions that are answered on this dataset. */
  suggestions: z.array(z.string()),
  ...answeredBy,
});

export const Nl2SqlResponse = z.discriminatedUnion('understood', [Nl2SqlAnswered, Nl2SqlNotUnderstood]);
export type Nl2SqlResponse = z.infer<typeof Nl2SqlResponse>;

export const HistoryQuery = z.object({
  datasetId: z.uuid(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const HistoryEntry = z.object({
  id: z.uuid(),
  question: z.string(),
  understood: z.boolean(),
  sql: z.string().nullable(),
  provider: z.string(),
  promptVersion: z.string(),
  rowCount: z.number().int().nonnegative(),
  truncated: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const History = z.object({ items: z.array(HistoryEntry) });
export type History = z.infer<typeof History>;
