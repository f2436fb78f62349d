import { CsvTokenizer } from './csv-tokenizer.js';

export type Delimiter = ',' | ';' | '\t' | '|';
const DELIMITERS: Delimiter[] = [',', ';', '\t', '|'];
const SNIFF_ROWS = 50;

/**
 * Picks the delimiter that splits the first rows into the same number of fields (more than one)
 * most consistently, reading quotes as the tokenizer will. A tie goes to more fields, then to the
 * order `,` `;` TAB `|`. A file that no candidate splits is one column: `,`.
 */
export function sniffDelimiter(head: Uint8Array, complete: boolean): Delimiter {
  let best: { delimiter: Delimiter; consistency: number; fields: number } = {
    delimiter: ',',
    consistency: 0,
    fields: 1,
  };
  for (const delimiter of DELIMITERS) {
    const counts = rowFieldCounts(head, delimiter, complete);
    const header = counts[0] ?? 1;
    if (header < 2) continue;
    const consistency = counts.filter((c) => c === header).length / counts.length;
    if (consistency > best.consistency || (consistency === best.consistency && header > best.fields)) {
      best = { delimiter, consistency, fields: header };
    }
  }
  return best.delimiter;
}

function rowFieldCounts(head: Uint8Array, delimiter: Delimiter, complete: boolean): number[] {
  const tokenizer = new CsvTokenizer(delimiter.charCodeAt(0));
  const counts: number[] = [];
  try {
    const stop = new Error('enough rows');
    tokenizer.scan(head, 0, head.length, complete, () => {
      if (!tokenizer.isBlankRow()) counts.push(tokenizer.count);
      if (counts.length >= SNIFF_ROWS) throw stop;
    });
  } catch {
    // Enough rows, or a quote this delimiter cannot close: judge on what was read.
  }
  return counts;
}
