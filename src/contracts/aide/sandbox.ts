import { z } from 'zod';

/** Why the AIDE SQL sandbox refused a query before running it (shown with a sentence of detail). */
export const SqlRefusalReason = z.enum([
  'parse_error',
  'empty',
  'multiple_statements',
  'not_select',
  'data_modifying',
  'select_into',
  'locking_clause',
  'forbidden_relation',
  'forbidden_function',
  'forbidden_type',
  'forbidden_operator',
  'forbidden_construct',
  'unknown_column',
  'too_complex',
]);
export type SqlRefusalReason = z.infer<typeof SqlRefusalReason>;

/**
 * How a result column's values are represented: `number` values are JSON numbers, except
 * bigint and numeric results, which stay exact decimal strings (as everywhere on the platform);
 * `date` is `YYYY-MM-DD`, `timestamp` an ISO 8601 string (UTC, `Z`, when the type has a zone).
 */
export const ResultColumnKind = z.enum(['number', 'text', 'boolean', 'date', 'timestamp', 'other']);
export type ResultColumnKind = z.infer<typeof ResultColumnKind>;

export const ResultColumn = z.object({
  /** Key of the column in each row; PostgreSQL's name, suffixed `_2`, `_3`... when repeated. */
  name: z.string(),
  /** PostgreSQL type as `format_type` spells it, e.g. `bigint`, `timestamp with time zone`. */
  pgType: z.string(),
  kind: ResultColumnKind,
});
export type ResultColumn = z.infer<typeof ResultColumn>;
