import { z } from 'zod';
import { NumericColumnProfile } from '../axi/analytics.js';
import { ProviderFallback, TokenUsage } from './nl2sql.js';

export const InsightKind = z.enum(['correlation', 'outliers', 'trend', 'concentration', 'data_quality']);
export type InsightKind = z.infer<typeof InsightKind>;

/**
 * The supporting numbers of an insight; every number in its title and explanation is one of these.
 * Keys say the unit: `...Pct` is in percent (71.4), `share`/`...Share` a fraction (0.714), any
 * other number a plain quantity (a percentage of it is not grounded).
 */
export const InsightFacts = z.record(z.string(), z.union([z.number(), z.string()]));
export type InsightFacts = z.infer<typeof InsightFacts>;

/** Largest number of points a chart of an insight carries. */
export const maxChartPoints = 50;

export const InsightChart = z.object({
  type: z.enum(['bar', 'line', 'scatter', 'pie']),
  /** Key of `data` rows on the x axis (categories, months, or the first measure of a scatter). */
  x: z.string(),
  /** Key of `data` rows on the y axis (the measure). */
  y: z.string(),
  data: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))).max(maxChartPoints),
});
export type InsightChart = z.infer<typeof InsightChart>;

/** An insight as computed, with its template text. */
export const ComputedInsight = z.object({
  kind: InsightKind,
  title: z.string(),
  /** Plain language; every number in it is taken from `facts`. */
  explanation: z.string(),
  facts: InsightFacts,
  chart: InsightChart,
  /** How notable the finding is, 0..1; insights come strongest first. */
  score: z.number().min(0).max(1),
});
export type ComputedInsight = z.infer<typeof ComputedInsight>;

export const Insight = ComputedInsight.extend({
  /**
   * True when the title and explanation are the LLM's rephrasing (every number checked against
   * `facts`); false when they are the template text. Facts, chart and score are never rephrased.
   */
  rephrased: z.boolean(),
});
export type Insight = z.infer<typeof Insight>;

export const InsightsParams = z.object({ dataset_id: z.uuid() });
export type InsightsParams = z.infer<typeof InsightsParams>;

export const InsightsResponse = z.object({
  datasetId: z.uuid(),
  /** 0 to 4 insights, strongest first; fewer when the data has little that is notable. */
  insights: z.array(Insight).max(4),
  /**
   * Who wrote the text: `builtin` (templates written from the facts), or the LLM provider
   * (`openai`, `anthropic`, `openai-compatible`) when it rephrased at least one insight.
   */
  provider: z.string(),
  /** The model that rephrased, when `provider` is an LLM; else null. */
  model: z.string().nullable(),
  /** Version of the rephrasing prompt (`insights.v1`), or of the built-in templates. */
  promptVersion: z.string(),
  /** Present when the configured LLM gave no usable answer: the template texts stay. */
  fallback: ProviderFallback.optional(),
  /** Tokens the rephrasing cost, when an LLM answered (even if every text was rejected). */
  usage: TokenUsage.optional(),
  /** True when these insights came from the cache (same dataset version and provider); `generatedAt` is then when they were computed. */
  cached: z.boolean().optional(),
  generatedAt: z.iso.datetime({ offset: true }),
});
export type InsightsResponse = z.infer<typeof InsightsResponse>;

export const AnalyzeDatasetBody = z.object({ datasetId: z.uuid() });
export type AnalyzeDatasetBody = z.infer<typeof AnalyzeDatasetBody>;

// The counts are those of AXI's profile (non-null values, nulls, distinct non-null values).
export const ColumnSummary = NumericColumnProfile.pick({
  name: true,
  originalName: true,
  type: true,
  count: true,
  nulls: true,
  distinct: true,
}).extend({
  /** Numbers for numeric columns, `YYYY-MM-DD` / ISO 8601 for dates and timestamps. */
  min: z.union([z.number(), z.string()]).nullable(),
  max: z.union([z.number(), z.string()]).nullable(),
  /** Numeric columns only. */
  mean: z.number().nullable(),
  /** Most frequent values of text and boolean columns, most frequent first (at most 10). */
  topValues: z.array(z.object({ value: z.string(), count: z.number().int().nonnegative() })),
  /** What the numbers above say, in plain language. */
  explanation: z.string(),
});
export type ColumnSummary = z.infer<typeof ColumnSummary>;

export const AnalyzeDatasetResponse = z.object({
  datasetId: z.uuid(),
  name: z.string(),
  rowCount: z.number().int().nonnegative(),
  /** `profile`: AXI's stored profile; `computed`: computed now because none was stored yet. */
  source: z.enum(['profile', 'computed']),
  columns: z.array(ColumnSummary),
  /** One sentence about the dataset as a whole. */
  summary: z.string(),
});
export type AnalyzeDatasetResponse = z.infer<typeof AnalyzeDatasetResponse>;
