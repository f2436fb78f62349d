const MAX_IDENTIFIER_BYTES = 63;

// Words PostgreSQL reserves (cannot be a bare column name) and the system columns every table
// already has; a header that normalises to one of them gets a trailing underscore.
const unusable = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation ' +
    'column concurrently constraint create cross current_catalog current_date current_role current_schema ' +
    'current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch ' +
    'for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral ' +
    'leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer ' +
    'overlaps placing primary references returning right select session_user similar some symmetric system_user ' +
    'table tablesample then to trailing true union unique user using variadic verbose when where window with ' +
    'tableoid xmin cmin xmax cmax ctid oid'
  ).split(' '),
);

/** Lowercase ASCII words of a header: accents dropped, everything else becomes `_`. */
function normalise(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Safe, unique SQL identifiers for the headers of a file, in order: `[a-z_][a-z0-9_]*`, at most
 * 63 bytes, never a reserved word, so they never need quoting. Empty headers become
 * `column_<position>`; repeats get `_2`, `_3`... The same headers always give the same names.
 */
export function columnNames(headers: string[]): string[] {
  const taken = new Set<string>();
  return headers.map((header, index) => {
    let base = normalise(header);
    if (base === '') base = `column_${index + 1}`;
    if (/^[0-9]/.test(base)) base = `c_${base}`;
    base = base.slice(0, MAX_IDENTIFIER_BYTES);
    if (unusable.has(base)) base = `${base}_`;
    let name = base;
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`;
      name = base.slice(0, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
    }
    taken.add(name);
    return name;
  });
}
