import type { DatasetColumn } from '../../../../../contracts/axi/columns.js';
import type { DateOrder } from './type-inference.js';

/**
 * A column as ingest hands it around. `dateOrder` says how to read D/M/Y-style dates
 * ('dmy' day first, 'mdy' month first); it is absent when the column has none or their order is
 * unknown. It travels on the column object between analyse, overrides and load.
 */
export type IngestColumn = DatasetColumn;

export function dateOrderOf(column: DatasetColumn): DateOrder | undefined {
  return (column as IngestColumn).dateOrder;
}
