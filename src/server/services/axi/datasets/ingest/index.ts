/**
 * AXI's CSV ingest engine: pass 1 (`analyseCsv`) reads a whole file to decide encoding,
 * delimiter, column names and types with evidence; pass 2 (`loadCsv`) creates the typed table
 * and COPYs the rows into it inside the caller's transaction.
 */
export { type AnalyseOptions, analyseCsv, type CsvAnalysis } from './analyse-csv.js';
export type { Delimiter } from './delimiter-sniffer.js';
export type { CsvEncoding } from './encoding.js';
export {
  CsvMalformed,
  CsvRejected,
  EmptyFile,
  NotCsv,
  type RowProblem,
  TooManyColumns,
  UploadTooLarge,
} from './ingest.errors.js';
export { type LoadPlan, type LoadResult, loadCsv, type RejectedRow } from './load-csv.js';
export { applyTypeOverrides, overrideTypes } from './type-overrides.js';
