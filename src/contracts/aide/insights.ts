import { z } from 'zod';
import { NumericColumnProfile } from '../axi/analytics.js';

export const InsightKind = z.enum(['correlation', 'outliers', 'trend', 'concentration', 'data_quality']);
export type InsightKind = z.infer<typeof InsightKind>;

/** The supporting numbers of an insight; every number in its explanation is one of these. */
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

export const Insight = z.object({
  kind: InsightKind,
  title: z.string(),
  /** Plain language; every number in it is taken from `facts`. */
  explanation: z.string(),
  facts: InsightFacts,
  chart: InsightChart,
  /** How notable the finding is, 0..1; insights come strongest first. */
  score: z.number().min(0).max(1),
});
export type Insight = z.infer<typeof Insight>;

export const InsightsParams = z.object({ dataset_id: z.uuid() });
export type InsightsParams = z.infer<typeof InsightsParams>;

export const InsightsResponse = z.object({
  datasetId: z.uuid(),
  /** 0 to 4 insights, strongest first; fewer when the data has little that is notable. */
  insights: z.array(Insight).max(4),
  /** `builtin`: template text written from the facts (no LLM rephrasing). */
  provider: z.string(),
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
