import { type ColumnType, type DatasetColumn, OverrideType } from '../../../../../contracts/axi/columns.js';
import type { FieldError } from '../../../../../contracts/http/problem.js';
import { ValidationFailed } from '../../../../platform/http/errors.js';
import type { IngestColumn } from './ingest-column.js';

/** What an override may say: a column type, or a date with the order to read D/M/Y values in. */
export const overrideTypes = OverrideType.options;

/**
 * Applies per-column type overrides (keys: the stored name or the original header). The values
 * are checked while loading; this only checks that column and type exist.
 */
export function applyTypeOverrides(
  columns: DatasetColumn[],
  overrides: Record<string, string>,
): DatasetColumn[] {
  const errors: FieldError[] = [];
  const chosen = new Map<number, string>();
  for (const [key, requested] of Object.entries(overrides)) {
    const column = columns.find((c) => c.name === key) ?? columns.find((c) => c.originalName === key);
    if (!column) {
      errors.push({ field: `overrides.${key}`, message: `no column is named "${key}"` });
      continue;
    }
    if (!(overrideTypes as readonly string[]).includes(requested)) {
      errors.push({
        field: `overrides.${key}`,
        message: `"${requested}" is not a type; use one of ${overrideTypes.join(', ')}`,
      });
      continue;
    }
    chosen.set(column.position, requested);
  }
  if (errors.length > 0) throw new ValidationFailed(errors, 'Some type overrides name no column or no type.');
  return columns.map((column): IngestColumn => {
    const requested = chosen.get(column.position);
    if (requested === undefined) return column;
    const { dateOrder: _previous, ...rest } = column as IngestColumn;
    if (requested === 'date-dmy' || requested === 'date-mdy') {
      return { ...rest, type: 'date', dateOrder: requested === 'date-dmy' ? 'dmy' : 'mdy' };
    }
    const type = requested as ColumnType;
    // A plain `date` keeps the order analysis found among the column's dates, if they had one.
    return type === 'date' && _previous ? { ...rest, type, dateOrder: _previous } : { ...rest, type };
  });
}
