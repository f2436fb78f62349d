import { z } from 'zod';

/** The types a dataset column can be stored as, and the PostgreSQL type each becomes. */
export const ColumnType = z.enum(['integer', 'bigint', 'double', 'boolean', 'date', 'timestamp', 'text']);
export type ColumnType = z.infer<typeof ColumnType>;

export const sqlTypeOf: Record<ColumnType, string> = {
  integer: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  date: 'date',
  // Values without an offset are read as UTC.
  timestamp: 'timestamptz',
  text: 'text',
};

/** What an upload may ask a column to be stored as: a type, or a date with its field order. */
export const OverrideType = z.enum([...ColumnType.options, 'date-dmy', 'date-mdy']);
export type OverrideType = z.infer<typeof OverrideType>;

/** Why a column got its type: how the non-empty values of the whole file parse. */
export const ColumnEvidence = z.object({
  /** Non-empty cells seen. */
  nonEmpty: z.number().int().nonnegative(),
  /** Empty cells (stored as null). */
  empty: z.number().int().nonnegative(),
  /** Share (0..1) of the non-empty cells that parse as each type. */
  shares: z.record(ColumnType, z.number().min(0).max(1)),
  /** Values that could be read more than one way (e.g. 01/02/2024), a few at most. */
  ambiguousExamples: z.array(z.string()),
  /** Up to a few values that kept the column from a narrower type, with that type. */
  blockers: z.array(z.object({ type: ColumnType, value: z.string(), line: z.number().int() })),
  /** A human sentence: why this type. */
  reason: z.string(),
});
export type ColumnEvidence = z.infer<typeof ColumnEvidence>;

export const DatasetColumn = z.object({
  /** Safe SQL identifier the column is stored under (lowercase, unique within the dataset). */
  name: z.string(),
  /** The header as it was in the file. */
  originalName: z.string(),
  position: z.number().int().nonnegative(),
  type: ColumnType,
  /** The type inference chose; differs from `type` when the upload overrode it. */
  inferredType: ColumnType,
  evidence: ColumnEvidence,
  /** How D/M/Y-style values are read: 'dmy' day first, 'mdy' month first (absent: ISO or none). */
  dateOrder: z.enum(['dmy', 'mdy']).optional(),
});
export type DatasetColumn = z.infer<typeof DatasetColumn>;
