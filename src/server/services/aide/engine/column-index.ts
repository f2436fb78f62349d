/**
 * Finds the dataset's columns and cell values in a question. Each column is known by the words
 * of its identifier and of the user's header, with synonyms; each text column by its frequent
 * values. The question's words are matched longest phrase first; a hit records every column it
 * could mean and how well, so the parser can refuse when two are equally good.
 */
import type { ColumnDescription, DatasetDescription } from './engine.types.js';
import type { Token } from './lexer.js';
import { phraseKey, splitWords, stem } from './text.js';
import { FILLER_WORDS, SYNONYM_GROUPS, TIME_UNIT_WORDS, VALUE_ALIASES } from './vocabulary.js';

/** How well a phrase names a column: its whole header (3), via synonyms (2), or one word of it (1). */
export type MatchScore = 1 | 2 | 3;

export interface ColumnHit {
  column: ColumnDescription;
  score: MatchScore;
}

export interface ValueHit {
  column: ColumnDescription;
  /** The value exactly as stored. */
  value: string;
}

export type Lexeme =
  | Token
  | { kind: 'column'; hits: ColumnHit[]; raw: string; negated: boolean }
  | { kind: 'value'; hits: ValueHit[]; raw: string };

const MAX_PHRASE_WORDS = 5;

// Words that say nothing about which column is meant when they are the only word matched.
// Also the engine's own operator words: "number of flights" must stay a count, not flight_number.
const WEAK_WORDS = new Set(
  'id no nr num is has was did of the a code flag number count total sum average avg mean min max top percent'.split(
    ' ',
  ),
);
// Unit suffixes dropped from headers: "Temperature (°C)", "wind_speed_kmh", "amount_eur".
const UNIT_WORDS = new Set(
  'c f k eur usd gbp kmh km kph mph mm cm m kg g lb lbs pct s sec secs ms min mins h hrs pc'.split(' '),
);
const ID_WORDS = new Set(['id', 'key', 'no', 'nr', 'number', 'code', 'ref']);
const BOOLEAN_PREFIXES = new Set(['is', 'has', 'was', 'did', 'can', 'flag']);

const synonymsByStem = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) {
  for (const word of group) synonymsByStem.set(stem(word), group.map(stem));
}

/** The word phrases a column is known by: identifier and header, without units or an is_/has_ prefix. */
function columnPhrases(column: ColumnDescription): string[][] {
  const phrases: string[][] = [];
  const add = (words: string[]) => {
    if (words.length > 0 && !phrases.some((p) => p.join(' ') === words.join(' '))) phrases.push(words);
  };
  for (const source of [
    column.name,
    column.originalName,
    column.originalName.replace(/\(.*?\)|\[.*?\]/g, ' '),
  ]) {
    const words = splitWords(source);
    add(words);
    let trimmed = words;
    while (trimmed.length > 1 && UNIT_WORDS.has(trimmed.at(-1)!)) trimmed = trimmed.slice(0, -1);
    add(trimmed);
    if (column.type === 'boolean' && trimmed.length > 1 && BOOLEAN_PREFIXES.has(trimmed[0]!))
      add(trimmed.slice(1));
  }
  return phrases;
}

function synonymVariants(words: string[]): string[] {
  let keys = [''];
  for (const word of words) {
    const options = synonymsByStem.get(stem(word)) ?? [stem(word)];
    keys = keys.flatMap((k) => options.map((o) => (k ? `${k} ${o}` : o))).slice(0, 64);
  }
  return keys;
}

export interface ColumnIndex {
  columns: ColumnDescription[];
  /** Stems that name the dataset's rows (from its title), accepted as "how many orders". */
  rowNounStems: Set<string>;
  lexemes(tokens: Token[]): Lexeme[];
}

export function buildColumnIndex(dataset: DatasetDescription): ColumnIndex {
  const columnKeys = new Map<string, Map<ColumnDescription, MatchScore>>();
  const addKey = (key: string, column: ColumnDescription, score: MatchScore) => {
    const byColumn = columnKeys.get(key) ?? new Map<ColumnDescription, MatchScore>();
    byColumn.set(column, Math.max(byColumn.get(column) ?? 0, score) as MatchScore);
    columnKeys.set(key, byColumn);
  };
  for (const column of dataset.columns) {
    for (const words of columnPhrases(column)) {
      addKey(phraseKey(words), column, 3);
      for (const variant of synonymVariants(words)) addKey(variant, column, 2);
      if (words.length > 1) {
        for (const word of words) {
          if (WEAK_WORDS.has(word) || FILLER_WORDS.has(word) || UNIT_WORDS.has(word) || /^\d+$/.test(word))
            continue;
          for (const variant of synonymVariants([word])) addKey(variant, column, 1);
        }
      }
    }
  }

  const valueKeys = new Map<string, ValueHit[]>();
  for (const column of dataset.columns) {
    if (column.type !== 'text') continue;
    for (const value of new Set([...(column.distinctValues ?? []), ...(column.sampleValues ?? [])])) {
      const words = splitWords(value);
      if (words.length === 0 || words.length > MAX_PHRASE_WORDS) continue;
      const aliases = words.length === 1 ? (VALUE_ALIASES[words[0]!] ?? []) : [];
      for (const key of [phraseKey(words), ...aliases.map(stem)]) {
        const hits = valueKeys.get(key) ?? [];
        if (!hits.some((h) => h.column === column)) hits.push({ column, value });
        valueKeys.set(key, hits);
      }
    }
  }

  const rowNounStems = new Set(splitWords((dataset.title ?? '').replace(/\.[a-z0-9]+$/i, '')).map(stem));
  // A column "<entity> ID" says what the rows are: "how many orders" counts rows, it does not
  // pick between order_id and order_date.
  for (const column of dataset.columns) {
    const words = splitWords(column.name);
    if (words.length === 2 && ID_WORDS.has(words[1]!)) rowNounStems.add(stem(words[0]!));
  }

  function columnHitsFor(key: string): ColumnHit[] {
    const byColumn = columnKeys.get(key);
    if (!byColumn) return [];
    return [...byColumn].map(([column, score]) => ({ column, score })).sort((a, b) => b.score - a.score);
  }

  return {
    columns: dataset.columns,
    rowNounStems,
    lexemes(tokens) {
      const out: Lexeme[] = [];
      let i = 0;
      while (i < tokens.length) {
        const token = tokens[i]!;
        if (token.kind === 'quoted') {
          const hits = valueKeys.get(phraseKey(splitWords(token.raw)));
          out.push(hits ? { kind: 'value', hits, raw: token.raw } : token);
          i++;
          continue;
        }
        if (token.kind !== 'word') {
          out.push(token);
          i++;
          continue;
        }
        const run: string[] = [];
        for (let j = i; j < tokens.length && j < i + MAX_PHRASE_WORDS; j++) {
          const t = tokens[j]!;
          if (t.kind !== 'word') break;
          run.push(t.text);
        }
        let columnLength = 0;
        let columnHits: ColumnHit[] = [];
        let valueLength = 0;
        let valueHits: ValueHit[] = [];
        for (let n = run.length; n >= 1; n--) {
          const key = phraseKey(run.slice(0, n));
          if (columnLength === 0) {
            const hits = columnHitsFor(key);
            // A lone filler or time word ("by", "total", "days") is a column only as a whole header.
            const weak =
              n === 1 &&
              (FILLER_WORDS.has(run[0]!) || TIME_UNIT_WORDS[run[0]!] !== undefined || run[0] === 'time');
            if (hits.length > 0 && !(weak && hits[0]!.score < 3)) {
              columnLength = n;
              columnHits = hits;
            }
          }
          if (valueLength === 0 && valueKeys.has(key)) {
            valueLength = n;
            valueHits = valueKeys.get(key)!;
          }
        }
        const raw = (n: number) =>
          tokens
            .slice(i, i + n)
            .map((t) => t.raw)
            .join(' ');
        const previous = out.at(-1);
        const valueContext =
          /^\p{Lu}/u.test(token.raw) ||
          (previous?.kind === 'word' && VALUE_CONTEXT_WORDS.has(previous.text)) ||
          previous?.kind === 'op';
        // Equal spans: a value wins after "in/from/..." or capitalised, or when the column was only a
        // synonym or a partial match ("rainy" is the value Rain, not the column Rainfall).
        const valueWinsTie = valueContext || (columnHits[0]?.score ?? 0) < 3;
        if (
          valueLength > 0 &&
          (valueLength > columnLength || (valueLength === columnLength && valueWinsTie))
        ) {
          out.push({ kind: 'value', hits: valueHits, raw: raw(valueLength) });
          i += valueLength;
        } else if (
          columnLength > 0 &&
          !(columnHits[0]!.score === 1 && columnLength === 1 && rowNounStems.has(stem(token.text)))
        ) {
          out.push({ kind: 'column', hits: columnHits, raw: raw(columnLength), negated: false });
          i += columnLength;
        } else {
          const negatedBoolean = negatedBooleanHits(token.text);
          if (negatedBoolean.length > 0)
            out.push({ kind: 'column', hits: negatedBoolean, raw: token.raw, negated: true });
          else out.push(token);
          i++;
        }
      }
      return out;
    },
  };

  /** "unpaid", "nonremote": a negative prefix on a boolean column's name. */
  function negatedBooleanHits(word: string): ColumnHit[] {
    const rest = /^(un|non|in)(.{3,})$/.exec(word)?.[2];
    if (!rest) return [];
    return columnHitsFor(stem(rest)).filter((h) => h.column.type === 'boolean');
  }
}

// After these words an ambiguous phrase is read as a cell value rather than a column name.
const VALUE_CONTEXT_WORDS = new Set([
  'in',
  'from',
  'for',
  'at',
  'is',
  'are',
  'was',
  'were',
  'not',
  'excluding',
  'except',
  'vs',
  'versus',
  'and',
  'or',
  'equals',
  'to',
  'than',
  'with',
]);
