/**
 * Rephrasings that the engine answers on this dataset, built from its own columns, offered when
 * a question was not understood. Each is a question the parser is tested to accept.
 */
import type { ColumnDescription, DatasetDescription } from './engine.types.js';
import { isNumeric, isTemporal } from './parse-question.js';
import { editDistance, splitWords } from './text.js';
import { holdsYears } from './year-column.js';

const MAX_SUGGESTIONS = 5;

/** How a column is best named in a question: its header in plain lowercase words. */
export function spoken(column: ColumnDescription): string {
  return (
    splitWords(column.originalName.replace(/\(.*?\)|\[.*?\]/g, ' ')).join(' ') ||
    splitWords(column.name).join(' ')
  );
}

// Numeric columns that look like identifiers make poor examples ("total order id"), and years
// ("YearBuilt") are not added up.
const looksLikeId = (c: ColumnDescription) => /(^|_)(id|code|no|nr|zip|year)$/i.test(c.name) || holdsYears(c);

export function suggestQuestions(dataset: DatasetDescription): string[] {
  const numeric = dataset.columns.filter((c) => isNumeric(c) && !looksLikeId(c));
  const categories = dataset.columns.filter((c) => c.type === 'text' && (c.distinctValues?.length ?? 0) > 0);
  const category = categories[0] ?? dataset.columns.find((c) => c.type === 'text');
  const dates = dataset.columns.filter(isTemporal);
  const measure = numeric[0];
  const out: string[] = [];
  if (measure && category) out.push(`total ${spoken(measure)} by ${spoken(category)}`);
  if (measure && dates.length === 1) out.push(`${spoken(measure)} by month`);
  if (category) out.push(`how many rows per ${spoken(category)}`);
  if (measure && category) out.push(`top 5 ${spoken(category)} by average ${spoken(measure)}`);
  if (numeric[1] ?? measure) out.push(`average ${spoken(numeric[1] ?? measure!)}`);
  const value = category?.distinctValues?.[0];
  if (category && value && /^[\p{L}\p{N} ]+$/u.test(value))
    out.push(`number of rows where ${spoken(category)} is '${value}'`);
  if (category) out.push(`how many distinct ${spoken(category)}`);
  if (out.length === 0) out.push('how many rows');
  return [...new Set(out)].slice(0, MAX_SUGGESTIONS);
}

/** Column headers close to words the engine did not know ("revnue" -> "Revenue"). */
export function closestColumns(dataset: DatasetDescription, words: string[]): string[] {
  const names = new Set<string>();
  for (const word of words) {
    const w = word.toLowerCase();
    if (w.length < 4) continue;
    for (const column of dataset.columns) {
      for (const part of [spoken(column), ...splitWords(column.originalName)]) {
        if (editDistance(w, part) <= Math.max(1, Math.floor(part.length / 4))) names.add(column.originalName);
      }
    }
  }
  return [...names];
}
