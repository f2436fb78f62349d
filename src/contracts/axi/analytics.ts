import { z } from 'zod';
import { ColumnType } from './columns.js';

// ---------------------------------------------------------------------------------------------
// Dataset profile (summary)
// ---------------------------------------------------------------------------------------------

const ColumnProfileBase = {
  /** Stored (SQL-safe) column name. */
  name: z.string(),
  originalName: z.string(),
  type: ColumnType,
  /** Non-null values. */
  count: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  /** Distinct non-null values. */
  distinct: z.number().int().nonnegative(),
};

export const HistogramBin = z.object({
  /** Inclusive lower bound. */
  lower: z.number(),
  /** Exclusive upper bound, except the last bin, which includes the column's maximum. */
  upper: z.number(),
  count: z.number().int().nonnegative(),
});
export type HistogramBin = z.infer<typeof HistogramBin>;

export const NumericColumnProfile = z.object({
  ...ColumnProfileBase,
  kind: z.literal('numeric'),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Sample standard deviation (n - 1); null below two values. */
  stddev: z.number().nullable(),
  /** Continuous percentiles (linear interpolation between closest ranks), null without values. */
  q1: z.number().nullable(),
  median: z.number().nullable(),
  q3: z.number().nullable(),
  /** Equal-width bins over [min, max]; integer columns get integer-aligned bins. */
  histogram: z.array(HistogramBin),
});

export const TopValue = z.object({ value: z.union([z.string(), z.boolean()]), count: z.number().int() });

export const CategoricalColumnProfile = z.object({
  ...ColumnProfileBase,
  kind: z.literal('categorical'),
  /** Most frequent values, most frequent first, ties by value (byte order); at most 10. */
  topValues: z.array(TopValue),
});

export const TimePeriod = z.enum(['day', 'week', 'month', 'year']);
export type TimePeriod = z.infer<typeof TimePeriod>;

export const TemporalColumnProfile = z.object({
  ...ColumnProfileBase,
  kind: z.literal('temporal'),
  /** `YYYY-MM-DD` for dates, ISO 8601 UTC for timestamps. */
  min: z.string().nullable(),
  max: z.string().nullable(),
  /** Chosen from the range so the series stays readable (at most a few hundred points). */
  period: TimePeriod,
  /** Values per period (UTC; weeks start on Monday), in time order; empty periods are left out. */
  counts: z.array(z.object({ period: z.string(), count: z.number().int() })),
});

export const ColumnProfile = z.discriminatedUnion('kind', [
  NumericColumnProfile,
  CategoricalColumnProfile,
  TemporalColumnProfile,
]);
export type ColumnProfile = z.infer<typeof ColumnProfile>;

export const DatasetProfile = z.object({
  datasetId: z.uuid(),
  rowCount: z.number().int().nonnegative(),
  computedAt: z.iso.datetime({ offset: true }),
  columns: z.array(ColumnProfile),
});
export type DatasetProfile = z.infer<typeof DatasetProfile>;

export const DatasetIdParams = z.object({ id: z.uuid() });

// ---------------------------------------------------------------------------------------------
// Correlations
// ---------------------------------------------------------------------------------------------

export const CorrelationMethod = z.enum(['pearson', 'spearman']);
export type CorrelationMethod = z.infer<typeof CorrelationMethod>;

export const CorrelationRequest = z.object({
  datasetId: z.uuid(),
  /** Numeric columns to correlate (stored names); default: every numeric column. */
  columns: z.array(z.string().min(1).max(128)).min(2).max(50).optional(),
  method: CorrelationMethod.default('pearson'),
});
export type CorrelationRequest = z.infer<typeof CorrelationRequest>;

export const CorrelationPair = z.object({
  x: z.string(),
  y: z.string(),
  /** Pairwise-complete observations (rows where both are non-null). */
  n: z.number().int().nonnegative(),
  /** Null when undefined: fewer than 3 observations or a constant column; `reason` says which. */
  r: z.number().min(-1).max(1).nullable(),
  /** Two-sided, t distribution with n - 2 degrees of freedom. */
  pValue: z.number().min(0).max(1).nullable(),
  /** Benjamini-Hochberg adjusted over all pairs with a p-value. */
  pAdjusted: z.number().min(0).max(1).nullable(),
  /** 95% confidence interval by Fisher's z (Spearman with Fieller's 1.06 variance); needs n >= 4. */
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  reason: z.string().optional(),
});
export type CorrelationPair = z.infer<typeof CorrelationPair>;

export const CorrelationResult = z.object({
  method: CorrelationMethod,
  columns: z.array(z.string()),
  /** Square matrix in `columns` order; diagonal 1 (null for a constant or empty column). */
  matrix: z.array(z.array(z.number().nullable())),
  /** Every unordered pair (x before y in `columns`). */
  pairs: z.array(CorrelationPair),
});
export type CorrelationResult = z.infer<typeof CorrelationResult>;

// ---------------------------------------------------------------------------------------------
// Cohorts
// ---------------------------------------------------------------------------------------------

export const CohortPeriod = z.enum(['day', 'week', 'month']);
export type CohortPeriod = z.infer<typeof CohortPeriod>;

export const CohortRequest = z.object({
  datasetId: z.uuid(),
  /** Who (user id, customer...): any column type. */
  entityColumn: z.string().min(1).max(128),
  /** When: a date or timestamp column. */
  timeColumn: z.string().min(1).max(128),
  period: CohortPeriod,
  /** Summed per cell when given; must be numeric. */
  valueColumn: z.string().min(1).max(128).optional(),
});
export type CohortRequest = z.infer<typeof CohortRequest>;

export const CohortCell = z.object({
  /** Periods since the cohort's first period (0 = the first). */
  offset: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  /** active / cohort size. */
  rate: z.number().min(0).max(1),
  /** Sum of the value column over the cell's events (present when a value column was given). */
  value: z.number().optional(),
});

export const Cohort = z.object({
  /** First day of the cohort's period, `YYYY-MM-DD` (UTC; weeks start on Monday). */
  cohort: z.string(),
  size: z.number().int().positive(),
  /** Offsets 0 .. (last period of the data - this cohort), every one present. */
  cells: z.array(CohortCell),
});
export type Cohort = z.infer<typeof Cohort>;

export const CohortResult = z.object({
  period: CohortPeriod,
  entityColumn: z.string(),
  timeColumn: z.string(),
  valueColumn: z.string().nullable(),
  /** Distinct entities with at least one event. */
  entities: z.number().int().nonnegative(),
  /** Rows with both an entity and a time. */
  events: z.number().int().nonnegative(),
  cohorts: z.array(Cohort),
});
export type CohortResult = z.infer<typeof CohortResult>;

// ---------------------------------------------------------------------------------------------
// Reports (stored analysis results)
// ---------------------------------------------------------------------------------------------

export const ReportKind = z.enum(['correlation', 'cohort']);

const ReportHead = {
  id: z.uuid(),
  datasetId: z.uuid(),
  ownerId: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
};

export const CorrelationReport = z.object({
  ...ReportHead,
  kind: z.literal('correlation'),
  params: CorrelationRequest,
  result: CorrelationResult,
});
export const CohortReport = z.object({
  ...ReportHead,
  kind: z.literal('cohort'),
  params: CohortRequest,
  result: CohortResult,
});
export const Report = z.discriminatedUnion('kind', [CorrelationReport, CohortReport]);
export type Report = z.infer<typeof Report>;

/** A report without its result, as listed. */
export const ReportSummary = z.discriminatedUnion('kind', [
  z.object({ ...ReportHead, kind: z.literal('correlation'), params: CorrelationRequest }),
  z.object({ ...ReportHead, kind: z.literal('cohort'), params: CohortRequest }),
]);
export type ReportSummary = z.infer<typeof ReportSummary>;

export const ReportListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  datasetId: z.uuid().optional(),
});
export type ReportListQuery = z.infer<typeof ReportListQuery>;

export const ReportList = z.object({
  items: z.array(ReportSummary),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type ReportList = z.infer<typeof ReportList>;

export const ReportIdParams = z.object({ id: z.uuid() });
