import type { ColumnType } from '../../../../contracts/axi/columns.js';

/** One column as the engine sees it: its SQL identifier, the user's header, and what its values look like. */
export interface ColumnDescription {
  /** Safe SQL identifier of the column (always double-quoted in generated SQL). */
  name: string;
  /** The header as the user wrote it; matched against the question like `name`. */
  originalName: string;
  type: ColumnType;
  /** A few example values (any type). */
  sampleValues?: string[];
  /** Most frequent values of a text column (e.g. from the profile); text filters are matched against them. */
  distinctValues?: string[];
  min?: string | number;
  max?: string | number;
}

export interface DatasetDescription {
  /** Where the rows live; both parts are quoted, so any name is safe. */
  table: { schema: string; name: string };
  /** The dataset's display name (e.g. "orders.csv"): its words may name the rows ("how many orders"). */
  title?: string;
  columns: ColumnDescription[];
}

export type ChartType = 'bar' | 'line' | 'table' | 'number' | 'pie';

export interface ChartSuggestion {
  type: ChartType;
  /** Output column on the x axis (categories or time). */
  x?: string;
  /** Output column on the y axis (the measure). */
  y?: string;
}

export interface EngineMatches {
  /** Dataset columns the SQL uses (their identifiers). */
  columns: string[];
  /** Cell values the question was matched to, with their column. */
  values: { column: string; value: string }[];
}

export type EngineAnswer =
  | {
      understood: true;
      sql: string;
      chart: ChartSuggestion;
      /** One sentence saying how the question was read, e.g. "Sum of Revenue by Region, highest first". */
      explanation: string;
      matched: EngineMatches;
    }
  | {
      understood: false;
      reason: string;
      /** Questions the engine does answer on this dataset, built from its columns. */
      suggestions: string[];
    };
