import type { ColumnType } from '../../../../contracts/axi/columns.js';

export function isNumeric(type: ColumnType): boolean {
  return type === 'integer' || type === 'bigint' || type === 'double';
}

export function isTemporal(type: ColumnType): boolean {
  return type === 'date' || type === 'timestamp';
}
