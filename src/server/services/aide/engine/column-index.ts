/**
 * Finds the dataset's columns and cell values in a question. Each column is known by the words
 * of its identifier and of the user's header, with synonyms; each text column by its frequent
 * values. The question's words are matched longest phrase first; a hit records every column it
 * could mean and how well, so the parser can refuse when two are equally good.
 */
import type { ColumnDescription, DatasetDescription } from './engine.types.js';
import { headerWords, spelledOut } from './header-words.js';
import type { Token } from './lexer.js';
import { phraseKey, splitWords, stem } from './text.js';
import {
  FILLER_WORDS,
  ROW_NOUN_GROUPS,
  SYNONYM_GROUPS,
  TIME_UNIT_WORDS,
  TITLE_ROW_NOUNS,
  VALUE_ALIASES,
} from './vocabulary.js';

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
  'id no nr num is has was did of the a code flag number count total sum average avg mean min max top percent first last middle'.split(
    ' ',
  ),
);
// Unit suffixes dropped from headers: "Temperature (°C)", "wind_speed_kmh", "amount_eur".
const UNIT_WORDS = new Set(
  'c f k eur usd gbp kmh km kph mph mm cm m kg g lb lbs pct s sec secs ms min mins h hrs pc'.split(' '),
);
const ID_WORDS = new Set(['id', 'key', 'no', 'nr', 'number', 'code', 'ref']);
// Identifiers of one entity each; a flight "number" or a product "code" repeats across rows.
const STRICT_ID_WORDS = new Set(['id', 'key']);

/**
 * The entity a column identifies: "Order ID", "order_id", "PassengerId" -> order, passenger.
 * `strict` when the header says it is an identifier proper (id, key), not a number or code.
 */
/**
 * The words of a title that may name its rows: its words, a plural in -ies also as -ie
 * ("movies" is a movie, not a "movy"), and a row noun glued after a short abbreviation
 * ("mtcars": Motor Trend cars). The abbreviation has no vowel, so "oscars" is not cars.
 */
function titleRowNouns(title: string): string[] {
  const words = headerWords(title.replace(/\.[a-z0-9]+$/i, ''));
  const nouns = [...words];
  for (const word of words) {
    if (word.endsWith('ies')) nouns.push(word.slice(0, -1));
    for (let cut = 1; cut <= 3; cut++) {
      const [prefix, rest] = [word.slice(0, cut), word.slice(cut)];
      if (/^[b-df-hj-np-tv-z]+$/.test(prefix) && TITLE_ROW_NOUNS.has(rest)) nouns.push(rest);
    }
  }
  return nouns;
}

export function identifiedEntity(column: ColumnDescription): { word: string; strict: boolean } | undefined {
  for (const source of [column.name, column.originalName]) {
    const words = spelledOut(headerWords(source));
    if (words.length === 2 && ID_WORDS.has(words[1]!))
      return { word: words[0]!, strict: STRICT_ID_WORDS.has(words[1]!) };
  }
  return undefined;
}

/** A yes/no column: boolean, or integers that are only 0 and 1 ("Survived", "Churn"). */
export function isFlag(column: ColumnDescription): boolean {
  return (
    column.type === 'boolean' ||
    (column.type === 'integer' && Number(column.min) === 0 && Number(column.max) === 1)
  );
}

/** An identifier column: never summed or averaged unless named as such. */
export function isIdColumn(column: ColumnDescription): boolean {
  return identifiedEntity(column) !== undefined || /(^|_)id$/.test(column.name);
}
const JOURNEY_WORDS = new Set(['trip', 'ride', 'journey']);
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
    add(splitWords(source));
    const words = headerWords(source);
    add(words);
    let trimmed = words;
    while (trimmed.length > 1 && UNIT_WORDS.has(trimmed.at(-1)!)) trimmed = trimmed.slice(0, -1);
    add(trimmed);
    add(spelledOut(trimmed));
    if (column.type === 'boolean' && trimmed.length > 1 && BOOLEAN_PREFIXES.has(trimmed[0]!))
      add(trimmed.slice(1));
    // "CountryName", "start station name": the name is how the column holds its entity.
    if (trimmed.length > 1 && trimmed.at(-1) === 'name' && !NAME_KINDS.has(trimmed.at(-2)!))
      add(spelledOut(trimmed.slice(0, -1)));
  }
  return phrases;
}

// "<kind> name" headers that are not the name of an entity: "first name" is not a first.
const NAME_KINDS = new Set('first last middle full given family sur nick display user file sheet'.split(' '));

function synonymVariants(words: string[]): string[] {
  let keys = [''];
  for (const word of words) {
    const options = synonymsByStem.get(stem(word)) ?? [stem(word)];
    keys = keys.flatMap((k) => options.map((o) => (k ? `${k} ${o}` : o))).slice(0, 64);
  }
  return keys;
}

// Two consonants an English word can start with; any other pair at the start of a header is a
// one-letter prefix glued to a word ("pclass", "nrooms"), not a word ("spending", "traffic").
const ENGLISH_ONSETS = new Set(
  'bl br ch cl cr dr dw fl fr gl gn gr kn pf ph pl pr ps qu rh sc sh sk sl sm sn sp st sv sw th tr ts tw wh wr'.split(
    ' ',
  ),
);
const isConsonant = (ch: string) => /[b-df-hj-np-tv-z]/.test(ch);

/**
 * Weaker names a one-word header gives: its word after a one-letter prefix that no English word
 * starts with ("Pclass" is a class), and for a yes/no column the people it marks ("Survived" ->
 * survivors, "Churned" -> churners). Scored as one word of a header, so any other claim on the
 * word makes it ambiguous.
 */
function derivedKeys(column: ColumnDescription, words: string[]): string[] {
  if (words.length !== 1) return [];
  const word = words[0]!;
  const keys: string[] = [];
  const tail = word.slice(1);
  const prefixed =
    word.length >= 6 &&
    /^[a-z]+$/.test(word) &&
    isConsonant(word[0]!) &&
    isConsonant(word[1]!) &&
    !ENGLISH_ONSETS.has(word.slice(0, 2));
  if (prefixed && !FILLER_WORDS.has(tail) && !WEAK_WORDS.has(tail)) keys.push(stem(tail));
  if (isFlag(column) && /ed$/.test(word)) keys.push(`${stem(word)}or`, `${stem(word)}er`);
  return keys;
}

export interface ColumnIndex {
  columns: ColumnDescription[];
  /** Stems that name the dataset's rows (from its title), accepted as "how many orders". */
  rowNounStems: Set<string>;
  /**
   * Entities with an identifier column ("Order ID", "PassengerId") by the entity's stem: counting
   * them counts distinct identifiers, right whether a row is one order or one line of an order.
   */
  idColumnsByStem: Map<string, ColumnDescription>;
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
    const phrases = columnPhrases(column);
    // "gdp per capita": the words before "per" alone name another amount (GDP, not per head).
    const ratioHeads = new Set(
      phrases.flatMap((words) => (words.indexOf('per') > 0 ? words.slice(0, words.indexOf('per')) : [])),
    );
    for (const words of phrases) {
      addKey(phraseKey(words), column, 3);
      for (const variant of synonymVariants(words)) addKey(variant, column, 2);
      for (const key of derivedKeys(column, words)) addKey(key, column, 1);
      if (words.length > 1) {
        for (const word of words) {
          if (WEAK_WORDS.has(word) || FILLER_WORDS.has(word) || UNIT_WORDS.has(word) || /^\d+$/.test(word))
            continue;
          if (ratioHeads.has(word)) continue;
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

  const initialsKeys = valueInitials(dataset);

  const rowNounStems = new Set(titleRowNouns(dataset.title ?? '').map(stem));
  // A header that starts with a journey word ("tripduration", "trip_distance") says the rows are
  // journeys; other row nouns in headers ("passenger_count") are amounts, not the rows.
  for (const column of dataset.columns) {
    const first = headerWords(column.originalName)[0];
    if (first && headerWords(column.originalName).length > 1 && JOURNEY_WORDS.has(first))
      rowNounStems.add(stem(first));
  }
  // A column "<entity> ID" says what the rows are: "how many orders" counts rows, it does not
  // pick between order_id and order_date.
  const idColumnsByStem = new Map<string, ColumnDescription>();
  for (const column of dataset.columns) {
    const entity = identifiedEntity(column);
    if (!entity) continue;
    rowNounStems.add(stem(entity.word));
    if (entity.strict && !idColumnsByStem.has(stem(entity.word)))
      idColumnsByStem.set(stem(entity.word), column);
  }
  // "trips" and "rides" name the same rows ("taxis.csv", "how many rides").
  for (const group of ROW_NOUN_GROUPS) {
    const stems = group.map(stem);
    if (stems.some((s) => rowNounStems.has(s))) for (const s of stems) rowNounStems.add(s);
  }

  function columnHitsFor(key: string): ColumnHit[] {
    const byColumn = columnKeys.get(key);
    if (!byColumn) return [];
    return [...byColumn].map(([column, score]) => ({ column, score })).sort((a, b) => b.score - a.score);
  }

  function longestValueAt(run: string[], minLength: number): number {
    for (let n = run.length; n >= minLength; n--) if (valueKeys.has(phraseKey(run.slice(0, n)))) return n;
    return 0;
  }

  return {
    columns: dataset.columns,
    rowNounStems,
    idColumnsByStem,
    lexemes(tokens) {
      const out: Lexeme[] = [];
      let i = 0;
      while (i < tokens.length) {
        const token = tokens[i]!;
        const raw = (n: number) =>
          tokens
            .slice(i, i + n)
            .map((t) => t.raw)
            .join(' ');
        if (token.kind === 'quoted') {
          const hits = valueKeys.get(phraseKey(splitWords(token.raw)));
          out.push(hits ? { kind: 'value', hits, raw: token.raw } : token);
          i++;
          continue;
        }
        const run: string[] = [];
        for (let j = i; j < tokens.length && j < i + MAX_PHRASE_WORDS; j++) {
          const t = tokens[j]!;
          // Numbers are words of values ("W 21 St & 6 Ave"), never of a column name here.
          if (t.kind === 'word') run.push(t.text);
          else if (isWholeNumber(t)) run.push(t.raw);
          else break;
        }
        if (token.kind !== 'word') {
          // A value that starts with a number ("8 Ave & W 31 St"): two words at least.
          const n = longestValueAt(run, 2);
          if (n > 0) {
            out.push({ kind: 'value', hits: valueKeys.get(phraseKey(run.slice(0, n)))!, raw: raw(n) });
            i += n;
          } else {
            out.push(token);
            i++;
          }
          continue;
        }
        let columnLength = 0;
        let columnHits: ColumnHit[] = [];
        let valueLength = 0;
        let valueHits: ValueHit[] = [];
        for (let n = run.length; n >= 1; n--) {
          const key = phraseKey(run.slice(0, n));
          if (columnLength === 0 && !run.slice(0, n).some((w) => /^\d+$/.test(w))) {
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
          if (
            valueLength === 0 &&
            valueKeys.has(key) &&
            !(n === 1 && isCodeClash(token, valueKeys.get(key)!))
          ) {
            valueLength = n;
            valueHits = valueKeys.get(key)!;
          }
        }
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
        } else if (initialsKeys.has(token.raw)) {
          out.push({ kind: 'value', hits: [initialsKeys.get(token.raw)!], raw: token.raw });
          i++;
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

/**
 * "per" is not Peru's code PER, nor "can" Canada's CAN: a short upper-case code matches a question
 * word that is a function word only when the word is typed in upper case.
 */
function isCodeClash(token: Token, hits: ValueHit[]): boolean {
  if (token.kind !== 'word' || token.raw === token.raw.toUpperCase() || !FILLER_WORDS.has(token.text))
    return false;
  return hits.every((h) => /^[A-Z0-9]{2,4}$/.test(h.value));
}

function isWholeNumber(token: Token): boolean {
  return token.kind === 'number' && /^\d+$/.test(token.raw);
}

const SMALL_WORDS = new Set(['of', 'the', 'and', 'for', 'de', 'du', 'des', 'la', 'le']);

/**
 * Upper-case initials of the known multi-word values ("UK" -> United Kingdom, "NYC" -> New York
 * City), kept only when one value of one column has them: an abbreviation that could mean two
 * values is left unknown.
 */
function valueInitials(dataset: DatasetDescription): Map<string, ValueHit> {
  const found = new Map<string, ValueHit | null>();
  for (const column of dataset.columns) {
    if (column.type !== 'text') continue;
    for (const value of new Set([...(column.distinctValues ?? []), ...(column.sampleValues ?? [])])) {
      const words = splitWords(value);
      if (words.length < 2 || words.length > MAX_PHRASE_WORDS || /\d/.test(value)) continue;
      const variants = new Set([words, words.filter((w) => !SMALL_WORDS.has(w))].map(initialsOf));
      for (const key of variants) {
        const seen = found.get(key);
        if (seen === undefined) found.set(key, { column, value });
        else if (seen && !(seen.column === column && seen.value === value)) found.set(key, null);
      }
    }
  }
  const unique = new Map<string, ValueHit>();
  for (const [key, hit] of found) if (hit && key.length >= 2) unique.set(key, hit);
  return unique;
}

function initialsOf(words: string[]): string {
  return words.map((w) => w[0]!.toUpperCase()).join('');
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
