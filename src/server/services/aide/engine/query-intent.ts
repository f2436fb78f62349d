/**
 * What a question asks for, once its words are resolved to the dataset's columns and values:
 * the parser produces it, the SQL builder turns it into one SELECT. No SQL text lives here.
 */
import type { ColumnDescription } from './engine.types.js';
import type { ComparisonOp } from './lexer.js';
import type { Period } from './periods.js';
import type { Aggregate, TimeUnit } from './vocabulary.js';

/** A time bucket to group by: the calendar units, or the day of the week (1 = Monday). */
export type GroupUnit = TimeUnit | 'weekday';

export type Filter =
  | { kind: 'compare'; column: ColumnDescription; op: ComparisonOp; value: number }
  | { kind: 'between'; column: ColumnDescription; low: number; high: number }
  /** Exact stored values (matched against the column's known values). */
  | { kind: 'in'; column: ColumnDescription; values: string[]; negated: boolean }
  /** A value the user typed that is not among the known values: compared case-insensitively. */
  | { kind: 'text-equals'; column: ColumnDescription; value: string; negated: boolean }
  | {
      kind: 'like';
      column: ColumnDescription;
      fragment: string;
      where: 'contains' | 'starts' | 'ends';
      negated: boolean;
    }
  | { kind: 'null'; column: ColumnDescription; negated: boolean }
  /** "no tip", "without discount", "zero tolls" on a number: 0 or missing, as datasets store either. */
  | { kind: 'zero-or-null'; column: ColumnDescription }
  | { kind: 'boolean'; column: ColumnDescription; value: boolean }
  | { kind: 'period'; column: ColumnDescription; period: Period; relation: 'within' | 'before' | 'from' }
  /** The last `amount` units up to the latest date in the data. */
  | { kind: 'trailing'; column: ColumnDescription; amount: number; unit: TimeUnit };

export type Measure =
  | { agg: 'count' }
  /** With `unit`: distinct days/months... of a date column ("how many days had rain"). */
  | { agg: 'count-distinct'; column: ColumnDescription; unit?: TimeUnit }
  /** `implicit`: no aggregate word was used; chosen from the column (amounts summed, levels averaged). */
  | { agg: Aggregate; column: ColumnDescription; implicit?: boolean };

export type GroupTarget =
  | { kind: 'column'; column: ColumnDescription }
  | { kind: 'time'; unit: GroupUnit; column: ColumnDescription }
  /** Rows labelled by which side of an "A vs B" comparison they fall in. */
  | { kind: 'sides'; sides: { label: string; filter: Filter }[] };

export interface QueryIntent {
  measures: Measure[];
  groups: GroupTarget[];
  /** Applied to every row (WHERE). */
  filters: Filter[];
  /** Percentages: of each group in the total, or of the rows matching `numerator` among all. */
  percent?: { kind: 'of-total' } | { kind: 'of-filter'; numerator: Filter[] };
  /** Groups sorted by their value lowest first ("cheapest first"); highest first when absent. */
  sort?: 'asc';
  /** Top/bottom k groups (or rows, when listing). */
  ranking?: { direction: 'desc' | 'asc'; limit: number };
  /** Listing instead of aggregating: whole rows, or the distinct values of some columns. */
  list?: { kind: 'rows'; orderBy?: ColumnDescription } | { kind: 'distinct'; columns: ColumnDescription[] };
}
