/**
 * The only places user-influenced text becomes SQL. The engine's SQL carries no bind parameters
 * (it is shown to the user and re-validated by the sandbox), so every identifier and literal
 * passes through one of these.
 */

/** A double-quoted identifier; embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new Error('empty or NUL identifier');
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`: the engine never reads an unqualified table. */
export function qualifiedTable(table: { schema: string; name: string }): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/**
 * A standard string literal: single quotes doubled. Backslashes need nothing because
 * standard_conforming_strings is on in every supported PostgreSQL (and PGlite).
 */
export function quoteText(value: string): string {
  return `'${value.replaceAll('\0', '').replaceAll("'", "''")}'`;
}

/** A numeric literal from a JS number: finite only, never exponent notation. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  // toLocaleString never switches to exponent notation (String(1e21) would be "1e+21").
  const text = value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`number out of range: ${value}`);
  return value < 0 ? `(${text})` : text;
}

/** A LIKE pattern that matches `fragment` literally: %, _ and the escape character escaped. */
export function likeLiteral(fragment: string, where: 'contains' | 'starts' | 'ends' | 'exact'): string {
  const escaped = fragment.replace(/[\\%_]/g, (c) => `\\${c}`);
  const before = where === 'contains' || where === 'ends' ? '%' : '';
  const after = where === 'contains' || where === 'starts' ? '%' : '';
  const pattern = `${before}${escaped}${after}`;
  return quoteText(pattern);
}

/** An ISO calendar day (yyyy-mm-dd), checked, as a literal of the column's type. */
export function dayLiteral(isoDay: string, columnType: 'date' | 'timestamp'): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDay)) throw new Error(`not an ISO day: ${isoDay}`);
  // Timestamps are stored as timestamptz read as UTC, so a day starts at UTC midnight.
  return columnType === 'date' ? `DATE '${isoDay}'` : `TIMESTAMPTZ '${isoDay} 00:00:00+00'`;
}
