/**
 * Lexemes -> QueryIntent. The parser runs a fixed series of passes, each recognising one kind of
 * phrase (number filters, dates, value filters, grouping, ranking, aggregates...) and marking the
 * lexemes it used. Whatever meaningful word is left unused at the end makes the question
 * "not understood": a filter or column we silently dropped would give a wrong answer.
 */
import {
  type ColumnHit,
  type ColumnIndex,
  isFlag,
  isIdColumn,
  type Lexeme,
  type ValueHit,
} from './column-index.js';
import type { ColumnDescription } from './engine.types.js';
import { headerWords, spelledOut } from './header-words.js';
import type { ComparisonOp } from './lexer.js';
import { isYear, type Period, readPeriod } from './periods.js';
import type { Filter, GroupTarget, GroupUnit, Measure, QueryIntent } from './query-intent.js';
import { stem } from './text.js';
import {
  AGGREGATE_PHRASES,
  type Aggregate,
  COMPARATIVE_COLUMNS,
  COMPARISON_PHRASES,
  FILLER_WORDS,
  LEVEL_WORDS,
  MEASURE_SUPERLATIVES,
  MEASURE_VERBS,
  MOST_ADJECTIVE_COLUMNS,
  NEGATIONS,
  NUMBER_UNITS,
  ROW_NOUNS,
  SUMMED_SYNONYMS,
  SUPERLATIVE_COLUMNS,
  SUPERLATIVES,
  TIME_UNIT_WORDS,
} from './vocabulary.js';
import { holdsYears, isYearColumn, yearTimeColumn } from './year-column.js';

export type ParseResult =
  | { ok: true; intent: QueryIntent }
  | { ok: false; reason: string; unknownWords?: string[]; ambiguous?: ColumnDescription[] };

/** A number comparison with no column of its own ("orders over 100"): a follow-up binds it to the previous measure. */
export type UnboundComparison =
  | { op: ComparisonOp; value: number }
  | { op: 'between'; low: number; high: number };

/**
 * What a follow-up question says before it is combined with the previous question: the parts the
 * passes found, with nothing filled in by default. `follow-up.ts` merges it into the previous intent.
 */
export interface Fragment {
  /** Measures with their column (explicit aggregates, counts, numeric columns named alone). */
  measures: Measure[];
  /** Aggregate words with no column after them: "what about the average?". */
  bareAggregates: Aggregate[];
  /** Column and time groups, and "A vs B" sides. */
  groups: GroupTarget[];
  /** Non-numeric columns named without a role ("which customer", "what about city"). */
  interrogatives: ColumnDescription[];
  filters: Filter[];
  unboundComparisons: UnboundComparison[];
  ranking?: { direction: 'desc' | 'asc'; limit?: number };
  superlative?: 'desc' | 'asc';
  countAsked: boolean;
  percentAsked: boolean;
  /** "latest 5 orders": a listing of its own. */
  recentRows: boolean;
  /** Names the rows or asks to list them ("orders", "employees", "show"): more than a modifier. */
  namesRows: boolean;
}

export type FragmentResult =
  | { ok: true; fragment: Fragment }
  | { ok: false; reason: string; unknownWords?: string[]; ambiguous?: ColumnDescription[] };

export interface FragmentOptions {
  /** The date column the previous question used: meant when several exist and none is named. */
  dateColumn?: ColumnDescription;
}

/** Thrown inside a pass to stop parsing with a reason for the user. */
class NotUnderstood extends Error {
  constructor(
    reason: string,
    readonly details: { unknownWords?: string[]; ambiguous?: ColumnDescription[] } = {},
  ) {
    super(reason);
  }
}

const NUMERIC_TYPES = new Set(['integer', 'bigint', 'double']);
const TEMPORAL_TYPES = new Set(['date', 'timestamp']);
export const isNumeric = (c: ColumnDescription) => NUMERIC_TYPES.has(c.type);
export const isTemporal = (c: ColumnDescription) => TEMPORAL_TYPES.has(c.type);

const GROUP_WORDS = [
  'grouped by',
  'broken down by',
  'split by',
  'for each',
  'for every',
  'in each',
  'by',
  'per',
  'each',
  'every',
  'across',
];
// Group words that say "for every one of them", as opposed to "by", which also ranks groups.
const DISTRIBUTIVE_GROUP_WORDS = new Set(['for each', 'for every', 'in each', 'each', 'every', 'per']);
const EXTREME_AGGREGATES: Record<string, Aggregate> = {
  highest: 'max',
  largest: 'max',
  biggest: 'max',
  greatest: 'max',
  lowest: 'min',
  smallest: 'min',
};
const BIRTH_WORDS = new Set(['birth', 'born', 'dob', 'birthday', 'birthdate']);
const CHANGE_VERBS = new Set(['changed', 'change', 'changes', 'evolved', 'developed', 'varied', 'moved']);
const QUESTION_GROUP_WORDS = new Set(['which', 'what', 'who', 'where', 'whose']);
const COUNT_PHRASES = [
  'how many',
  'number of',
  'count of',
  'count',
  'how often',
  'no of',
  'head count',
  'headcount',
];
const DISTINCT_WORDS = new Set(['distinct', 'unique', 'different', 'separate']);
const PERCENT_WORDS = new Set(['percentage', 'percent', 'share', 'proportion', 'fraction', 'pct']);
const LIST_WORDS = new Set([
  'show',
  'list',
  'display',
  'give',
  'get',
  'find',
  'return',
  'which',
  'what',
  'who',
  'see',
]);
const VERSUS_PHRASES = ['vs', 'versus', 'against', 'compared to', 'compared with', 'compare to', 'vs.'];
const TEXT_MATCH_PHRASES: [string, 'contains' | 'starts' | 'ends'][] = [
  ['starting with', 'starts'],
  ['starts with', 'starts'],
  ['beginning with', 'starts'],
  ['begins with', 'starts'],
  ['ending with', 'ends'],
  ['ends with', 'ends'],
  ['containing', 'contains'],
  ['contains', 'contains'],
  ['contain', 'contains'],
  ['including', 'contains'],
  ['includes', 'contains'],
  ['like', 'contains'],
  ['matching', 'contains'],
  ['mentioning', 'contains'],
];
const SORT_WORDS: Record<string, 'asc' | 'desc'> = {
  lowest: 'asc',
  smallest: 'asc',
  cheapest: 'asc',
  fewest: 'asc',
  least: 'asc',
  highest: 'desc',
  largest: 'desc',
  biggest: 'desc',
  most: 'desc',
};
const SORT_DIRECTIONS: Record<string, 'asc' | 'desc'> = { ascending: 'asc', descending: 'desc' };
const SORTED_WORDS = new Set(['sorted', 'ordered', 'ranked', 'sort']);
const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5 };
const BE_WORDS = new Set(['be', 'been', 'being']);
const NULL_WORDS = new Set(['missing', 'null', 'empty', 'blank', 'unknown', 'unset']);
// Words skipped when looking from an operator back to the column it applies to.
const LINK_WORDS = new Set([
  'is',
  'are',
  'was',
  'were',
  'of',
  'with',
  'has',
  'have',
  'had',
  'a',
  'an',
  'the',
  'that',
  'which',
  'whose',
  'where',
  'when',
  'its',
  'their',
  'having',
]);
// Words that only say a column holds kinds of things: "payment type" is the column payment.
const QUALIFIER_WORDS = new Set(['type', 'types', 'kind', 'kinds', 'method', 'methods']);
const EARLIEST = new Set(['earliest', 'first', 'oldest']);
const LATEST = new Set(['latest', 'last', 'newest', 'recent']);
const EXTRA_ROW_NOUNS = new Set([
  'people',
  'persons',
  'person',
  'everyone',
  'anyone',
  'one',
  'ones',
  'thing',
  'things',
  'time',
  'times',
]);

type NumberToken = Extract<Lexeme, { kind: 'number' }>;
type ColumnLexeme = Extract<Lexeme, { kind: 'column' }>;

export function parseQuestion(lexemes: Lexeme[], index: ColumnIndex): ParseResult {
  try {
    return { ok: true, intent: new QuestionParser(lexemes, index).parse() };
  } catch (error) {
    if (error instanceof NotUnderstood) return { ok: false, reason: error.message, ...error.details };
    throw error;
  }
}

/**
 * Reads a follow-up ("and by region?", "only North", "the average instead", "top 5") into its parts
 * without the defaults a whole question gets, accepting the words that only say "follow-up".
 */
export function parseFragment(
  lexemes: Lexeme[],
  index: ColumnIndex,
  options: FragmentOptions = {},
): FragmentResult {
  try {
    return {
      ok: true,
      fragment: new QuestionParser(lexemes, index, { ...options, fragment: true }).parseFragment(),
    };
  } catch (error) {
    if (error instanceof NotUnderstood) return { ok: false, reason: error.message, ...error.details };
    throw error;
  }
}

// Words that only mark a question as a follow-up ("the max instead", "same but for 2024").
const FOLLOW_UP_WORDS = new Set([
  'instead',
  'now',
  'same',
  'but',
  'too',
  'again',
  'rather',
  'ok',
  'okay',
  'so',
  'if',
  'though',
  'else',
  'switch',
  'change',
]);
// List words that ask for rows; "what"/"which"/"who" also open "what about ...".
// Words after a singular row noun that say which one: "the movie with the highest gross".
const ROW_PICKING_WORDS = new Set(['with', 'having', 'that', 'which', 'whose']);
const ROW_LIST_WORDS = new Set(['show', 'list', 'display', 'give', 'get', 'find', 'return', 'see']);

class QuestionParser {
  private readonly used: boolean[];
  private readonly filters: Filter[] = [];
  private readonly groups: GroupTarget[] = [];
  private readonly measures: Measure[] = [];
  private readonly comparisons: { label: string; filter: Filter }[] = [];
  private ranking?: { direction: 'desc' | 'asc'; limit?: number; plural: boolean };
  private superlative?: { direction: 'desc' | 'asc'; at: number };
  private countAsked = false;
  private percentAsked = false;
  private listAsked = false;
  private interrogatives: ColumnDescription[] = [];
  /** Aggregate words waiting for their column; `from` is where the word starts ("conversions total"). */
  private pendingAggregates: { agg: Aggregate | 'count'; at: number; distinct: boolean; from?: number }[] =
    [];
  private readonly aggregateWordAt = new Set<number>();
  private recentRows?: { direction: 'desc' | 'asc'; limit: number };
  private readonly unboundComparisons: UnboundComparison[] = [];
  private readonly bareAggregates: Aggregate[] = [];
  /** Aggregate words left for an unknown word after them to be reported; see refuseDroppedAggregates. */
  private readonly skippedAggregates: { agg: Aggregate; at: number }[] = [];
  /** "cheapest first", "in ascending order": the order of the groups, nothing else. */
  private sortOrder?: 'asc' | 'desc';
  private rowNounColumnNamed = false;
  /** "in total": one amount is asked for, as with "how much". */
  private inTotal = false;
  /** A group named by each/every/per ("at each station"): see readExtremePerGroup. */
  private distributiveGroup = false;
  /** "per day": a time group asked with "per", which after "average" can mean a daily mean. */
  private perTimeUnit?: GroupUnit;

  constructor(
    private readonly lex: Lexeme[],
    private readonly index: ColumnIndex,
    private readonly options: FragmentOptions & { fragment?: boolean } = {},
  ) {
    this.used = lex.map(() => false);
  }

  private isFiller(word: string): boolean {
    return FILLER_WORDS.has(word) || (this.options.fragment === true && FOLLOW_UP_WORDS.has(word));
  }

  /** The passes, in order: each marks the words it used; a word left unused is refused. */
  private readPasses(): void {
    this.refuseCompoundOfTwoColumns();
    this.readTextMatches();
    this.readNumberFilters();
    this.readCountedLevels();
    this.readSignFilters();
    this.readDateFilters();
    this.readOrdinalLevels();
    this.readTimeGroups();
    this.readChangeVerbs();
    this.readValueFilters();
    this.readNullAndBooleanFilters();
    this.readColumnGroups();
    this.readSortOrder();
    this.readRanking();
    this.readAggregates();
    this.readPercentAndListWords();
    this.bindAggregates();
    this.readRemainingColumns();
    this.refuseUnusedBy();
    this.rejectUnknownWords();
    this.refuseDroppedAggregates();
  }

  parse(): QueryIntent {
    this.readPasses();
    return this.assemble();
  }

  parseFragment(): Fragment {
    this.readPasses();
    if (this.sortOrder)
      throw new NotUnderstood('Reordering an earlier answer is not supported; ask the whole question.');
    const groups = [...this.groups];
    if (this.comparisons.length > 0) groups.push({ kind: 'sides', sides: this.comparisons });
    const namesRows =
      this.namesRowNoun() || this.lex.some((l) => l.kind === 'word' && ROW_LIST_WORDS.has(l.text));
    return {
      measures: dedupeMeasures(this.measures),
      bareAggregates: [...new Set(this.bareAggregates)],
      groups,
      interrogatives: this.interrogatives,
      filters: [...this.filters],
      unboundComparisons: this.unboundComparisons,
      ...(this.ranking ? { ranking: { direction: this.ranking.direction, limit: this.ranking.limit } } : {}),
      ...(this.superlative ? { superlative: this.superlative.direction } : {}),
      countAsked: this.countAsked,
      percentAsked: this.percentAsked,
      recentRows: this.recentRows !== undefined,
      namesRows,
    };
  }

  // ---- helpers over the lexeme list ---------------------------------------------------------

  private word(i: number): string | undefined {
    const l = this.lex[i];
    return l?.kind === 'word' && !this.used[i] ? l.text : undefined;
  }

  /** Length of `phrase` (space-separated words) at i, or 0. Used lexemes never match. */
  private phraseAt(i: number, phrase: string): number {
    const words = phrase.split(' ');
    for (let k = 0; k < words.length; k++) if (this.word(i + k) !== words[k]) return 0;
    return words.length;
  }

  private firstPhraseAt(i: number, phrases: readonly string[]): [string, number] | undefined {
    for (const phrase of phrases) {
      const n = this.phraseAt(i, phrase);
      if (n > 0) return [phrase, n];
    }
    return undefined;
  }

  private markUsed(from: number, length = 1) {
    for (let k = from; k < from + length; k++) this.used[k] = true;
  }

  private columnAt(i: number, accept: (c: ColumnDescription) => boolean): ColumnDescription | undefined {
    const l = this.lex[i];
    if (l?.kind !== 'column' || this.used[i]) return undefined;
    return pickColumn(l, accept);
  }

  /** Index of the nearest column lexeme before i, skipping link words; or -1. */
  private columnBefore(i: number, accept: (c: ColumnDescription) => boolean): number {
    for (let k = i - 1; k >= 0 && k >= i - 4; k--) {
      if (this.columnAt(k, accept)) return k;
      const w = this.lex[k];
      if (!(w?.kind === 'word' && LINK_WORDS.has(w.text) && !this.used[k])) return -1;
    }
    return -1;
  }

  // ---- passes --------------------------------------------------------------------------------

  /**
   * "conversion rate" where the dataset has Conversions and Bounce Rate: a number column followed
   * by one word of another number column's header names a measure the dataset does not have
   * (conversions per session), not the two columns side by side.
   */
  private refuseCompoundOfTwoColumns() {
    for (let i = 1; i < this.lex.length; i++) {
      const [first, second] = [this.lex[i - 1]!, this.lex[i]!];
      if (first.kind !== 'column' || second.kind !== 'column') continue;
      if (!second.hits.every((h) => h.score === 1 && isNumeric(h.column))) continue;
      if (!first.hits.every((h) => isNumeric(h.column))) continue;
      if (second.hits.some((h) => first.hits.some((f) => f.column === h.column))) continue;
      throw new NotUnderstood(
        `"${first.raw} ${second.raw}" is not a column of this dataset ("${second.raw}" is part of ${second.hits.map((h) => h.column.originalName).join(', ')}); name the columns one by one.`,
        { ambiguous: [...first.hits, ...second.hits].map((h) => h.column) },
      );
    }
  }

  /** "<column> contains 'x'", "name starting with A". */
  private readTextMatches() {
    for (let i = 0; i < this.lex.length; i++) {
      for (const [phrase, where] of TEXT_MATCH_PHRASES) {
        const n = this.phraseAt(i, phrase);
        if (!n) continue;
        const negated = this.word(i - 1) === 'not' || this.word(i - 1) === 'doesn';
        const colAt = this.columnBefore(negated ? i - 1 : i, (c) => c.type === 'text');
        const target = this.lex[i + n];
        const fragment =
          target?.kind === 'quoted' || target?.kind === 'value' || target?.kind === 'word'
            ? target.raw
            : undefined;
        if (colAt < 0 || fragment === undefined || this.used[i + n]) continue;
        const column = this.columnAt(colAt, (c) => c.type === 'text')!;
        this.filters.push({ kind: 'like', column, fragment, where, negated });
        this.markUsed(colAt);
        this.markUsed(negated ? i - 1 : i, n + (negated ? 2 : 1));
        break;
      }
    }
  }

  /**
   * "first class", "third floor": an ordinal right before a whole-number column coded as small
   * levels from 1 (Pclass 1-3) is that level. Other columns (ages, counts from 0) are left alone.
   */
  private readOrdinalLevels() {
    for (let i = 0; i + 1 < this.lex.length; i++) {
      const level = ORDINALS[this.word(i) ?? ''];
      if (level === undefined || this.used[i] || this.used[i + 1]) continue;
      const column = this.columnAt(i + 1, isLevelCode);
      if (!column || level > Number(column.max)) continue;
      this.filters.push({ kind: 'compare', column, op: '=', value: level });
      this.markUsed(i, 2);
    }
  }

  /**
   * "lowest first", "cheapest first", "in descending order", "from lowest to highest": how the
   * groups are sorted. Read before rankings so "lowest" here is not "the lowest one".
   */
  private readSortOrder() {
    for (let i = 0; i < this.lex.length; i++) {
      if (this.used[i]) continue;
      const w = this.word(i) ?? '';
      let order: 'asc' | 'desc' | undefined;
      let length = 0;
      if (SORT_WORDS[w] && this.word(i + 1) === 'first') [order, length] = [SORT_WORDS[w], 2];
      else if (SORT_WORDS[w] && this.word(i + 1) === 'to' && SORT_WORDS[this.word(i + 2) ?? '']) {
        const to = SORT_WORDS[this.word(i + 2)!];
        if (to === SORT_WORDS[w]) continue;
        [order, length] = [SORT_WORDS[w], 3];
        if (this.word(i - 1) === 'from') [i, length] = [i - 1, 4];
      } else if (SORT_DIRECTIONS[w]) {
        [order, length] = [SORT_DIRECTIONS[w], 1];
        if (this.word(i - 1) === 'in') [i, length] = [i - 1, 2];
        if (this.word(i + length) === 'order') length++;
      }
      if (!order) continue;
      if (this.sortOrder && this.sortOrder !== order)
        throw new NotUnderstood('Which order: ascending or descending?');
      this.sortOrder = order;
      this.markUsed(i, length);
      if (SORTED_WORDS.has(this.word(i - 1) ?? '')) this.markUsed(i - 1);
      i += length - 1;
    }
  }

  /** "<numeric column> over 100", "between 10 and 20", "at least 3 <column>", "<column> >= 5". */
  /**
   * "cars with 8 cylinders", "houses that have 3 bedrooms", "6 cylinder cars": a whole number
   * before a column of a few small whole-number levels is that level. Only after with/have (or
   * "and" joining another), so "top 3 gears" stays a ranking.
   */
  private readCountedLevels() {
    for (let i = 0; i < this.lex.length; i++) {
      const l = this.lex[i]!;
      if (this.used[i] || l.kind !== 'number' || !l.plainInteger) continue;
      if (!COUNTED_LEVEL_LEADS.has(this.word(i - 1) ?? '')) continue;
      const column = this.columnAt(i + 1, isSmallCount);
      if (!column || (this.lex[i + 1] as ColumnLexeme).hits.length !== 1) continue;
      this.filters.push({ kind: 'compare', column, op: '=', value: l.value });
      this.markUsed(i, 2);
      if (this.word(i - 1) !== 'and') this.markUsed(i - 1);
    }
  }

  private readNumberFilters() {
    for (let i = 0; i < this.lex.length; i++) {
      if (this.used[i]) continue;
      const l = this.lex[i]!;
      let op: ComparisonOp | 'between' | undefined;
      let n = 0;
      if (l.kind === 'op') [op, n] = [l.op, 1];
      else if (this.word(i) === 'between') [op, n] = ['between', 1];
      else if (this.word(i) === 'is' || this.word(i) === 'of') {
        // "<column> is 5": equality only right after a numeric column.
        const next = this.lex[i + 1];
        if (next?.kind === 'number' && this.columnAt(i - 1, isNumeric)) [op, n] = ['=', 1];
      } else {
        for (const [phrase, phraseOp] of COMPARISON_PHRASES) {
          const k = this.phraseAt(i, phrase);
          if (k) {
            [op, n] = [phraseOp, k];
            break;
          }
        }
      }
      let impliedColumn: ColumnDescription | undefined;
      const comparative = this.word(i) ? COMPARATIVE_COLUMNS[this.word(i)!] : undefined;
      if (!op && comparative && this.word(i + 1) === 'than') {
        impliedColumn = this.index.columns.find(
          (c) => isNumeric(c) && c.name.split('_').includes(comparative[0]),
        );
        if (impliedColumn) [op, n] = [comparative[1], 2];
      }
      if (!op) continue;
      const first = this.lex[i + n];
      if (first?.kind !== 'number') continue;
      let span = n + 1;
      let high: NumberToken | undefined;
      if (op === 'between') {
        const second = this.lex[i + n + 2];
        if (!(this.word(i + n + 1) === 'and' || this.word(i + n + 1) === 'to') || second?.kind !== 'number')
          continue;
        high = second;
        span += 2;
      }
      // "40 km/h", "50 years": the unit belongs to the number.
      const numberEnd = span;
      let percent = first.percent || high?.percent === true;
      while (NUMBER_UNITS.has(this.word(i + span) ?? '') && !(op === 'between' && isYear(first))) {
        if (PERCENT_UNITS.has(this.word(i + span)!)) percent = true;
        span++;
      }
      let colAt = impliedColumn ? -1 : this.columnBefore(i, isNumeric);
      // "life expectancy between 1990 and 2000" where the rows' time is a year column holding both
      // numbers: years, which the date pass reads.
      if (op === 'between' && high && this.yearsOfTimeColumn(first, high)) continue;
      if (colAt < 0 && !impliedColumn && this.columnAt(i + span, isNumeric)) colAt = i + span;
      // "over 5000 in revenue"
      if (
        colAt < 0 &&
        !impliedColumn &&
        ['in', 'of'].includes(this.word(i + span) ?? '') &&
        this.columnAt(i + span + 1, isNumeric)
      ) {
        this.markUsed(i + span);
        colAt = i + span + 1;
      }
      if (colAt < 0 && !impliedColumn) {
        // A follow-up's "orders over 100" compares the previous question's measure; years stay
        // dates, and a unit ("over 1000 km") says some other column is meant.
        const unbindable = span === numberEnd && !(isYear(first) && (op === 'between' || op === '='));
        if (this.options.fragment && unbindable && percent)
          throw new NotUnderstood(
            `"${first.raw}" is a percentage; name the column it applies to, e.g. "discount over ${first.raw}".`,
          );
        if (this.options.fragment && unbindable) {
          this.unboundComparisons.push(
            op === 'between'
              ? {
                  op,
                  low: Math.min(first.value, high!.value),
                  high: Math.max(first.value, high!.value),
                }
              : { op, value: first.value },
          );
          this.markUsed(i, span);
        }
        continue; // maybe a year ("between 2020 and 2022"): the date pass decides
      }
      const column = impliedColumn ?? this.columnAt(colAt, isNumeric)!;
      const divisor = percent ? percentDivisor(column, first.raw) : 1;
      if (op === 'between') {
        const [low, hi] = [first.value / divisor, high!.value / divisor].sort((a, b) => a - b) as [
          number,
          number,
        ];
        this.filters.push({ kind: 'between', column, low, high: hi });
      } else this.filters.push({ kind: 'compare', column, op, value: first.value / divisor });
      if (colAt >= 0) this.markUsed(colAt);
      this.markUsed(i, span);
    }
  }

  /** "negative profit", "orders where profit is negative", "positive balance": compared with 0. */
  private readSignFilters() {
    for (let i = 0; i < this.lex.length; i++) {
      const w = this.word(i);
      if (w !== 'negative' && w !== 'positive') continue;
      const op = w === 'negative' ? '<' : '>';
      if (this.columnAt(i + 1, isNumeric)) {
        this.filters.push({ kind: 'compare', column: this.columnAt(i + 1, isNumeric)!, op, value: 0 });
        this.markUsed(i, 2);
        continue;
      }
      const colAt = this.columnBefore(i, isNumeric);
      if (colAt >= 0 && i - colAt <= 2) {
        this.filters.push({ kind: 'compare', column: this.columnAt(colAt, isNumeric)!, op, value: 0 });
        this.markUsed(colAt, i - colAt + 1);
      }
    }
  }

  /**
   * Date column a date phrase at i applies to: one named next to it, else resolved later. A column
   * of years named there counts ("released before 2000", "built before 1950", "sold in 2008").
   */
  private dateColumnNear(i: number): { column?: ColumnDescription; at: number } {
    const dated = (c: ColumnDescription) => isTemporal(c) || holdsYears(c);
    for (const k of [i - 1, i - 2, i - 3]) {
      if (this.columnAt(k, dated)) return { column: this.columnAt(k, dated), at: k };
      const w = this.lex[k];
      if (!(w?.kind === 'word' && LINK_WORDS.has(w.text))) break;
    }
    return { at: -1 };
  }

  private pushDateFilter(i: number, make: (column: ColumnDescription) => Filter) {
    const birth = this.birthColumnBefore(i);
    if (birth) {
      this.filters.push(make(birth));
      return;
    }
    const near = this.dateColumnNear(i);
    if (near.at >= 0) this.markUsed(near.at);
    this.filters.push(make(near.column ?? this.defaultDateColumn()));
  }

  /** "born before 1960", "born in 1985": the one birth date or birth year column, not the rows' date. */
  private birthColumnBefore(i: number): ColumnDescription | undefined {
    if (this.word(i - 1) !== 'born') return undefined;
    const births = this.index.columns.filter(
      (c) => (isTemporal(c) || holdsYears(c)) && wordsOfHeader(c).some((w) => BIRTH_WORDS.has(w)),
    );
    if (births.length !== 1) return undefined;
    this.markUsed(i - 1);
    return births[0];
  }

  private defaultDateColumnCache?: ColumnDescription;
  /** The date column meant when none is named: one mentioned anywhere, else the only one. */
  private defaultDateColumn(): ColumnDescription {
    if (this.defaultDateColumnCache) return this.defaultDateColumnCache;
    for (let k = 0; k < this.lex.length; k++) {
      const c = this.columnAt(k, isTemporal);
      if (c && pickColumn(this.lex[k] as ColumnLexeme, () => true) === c) {
        this.markUsed(k);
        this.defaultDateColumnCache = c;
        return c;
      }
    }
    const temporal = this.index.columns.filter(isTemporal);
    if (temporal.length > 1 && this.options.dateColumn) {
      this.defaultDateColumnCache = this.options.dateColumn;
      return this.options.dateColumn;
    }
    const primary = temporal.length === 1 ? temporal : temporal.filter((c) => !isLaterDate(c));
    if (primary.length === 1) {
      this.defaultDateColumnCache = primary[0]!;
      return primary[0]!;
    }
    const year = temporal.length === 0 ? yearTimeColumn(this.index.columns) : undefined;
    if (year) {
      this.defaultDateColumnCache = year;
      return year;
    }
    if (temporal.length === 0)
      throw new NotUnderstood('This dataset has no date column to filter or group by time.');
    throw new NotUnderstood(
      `There are several date columns (${temporal.map((c) => c.originalName).join(', ')}); say which one.`,
      { ambiguous: temporal },
    );
  }

  /** "in 2024", "before March 2024", "between X and Y", "last 30 days", "2023 vs 2024". */
  private readDateFilters() {
    for (let i = 0; i < this.lex.length; i++) {
      if (this.used[i]) continue;
      const w = this.word(i);
      // "last 30 days", "past 3 months", "in the last week"
      if (w === 'last' || w === 'past' || w === 'previous' || w === 'trailing') {
        const amountToken = this.lex[i + 1];
        const hasAmount = amountToken?.kind === 'number' && amountToken.plainInteger;
        const unitWord = this.word(i + (hasAmount ? 2 : 1));
        const unit = unitWord ? TIME_UNIT_WORDS[unitWord] : undefined;
        if (unit && !unitWord!.endsWith('ly')) {
          const amount = hasAmount ? (amountToken as NumberToken).value : 1;
          const span = hasAmount ? 3 : 2;
          const start =
            this.word(i - 1) === 'the'
              ? this.word(i - 2) === 'in' || this.word(i - 2) === 'over'
                ? i - 2
                : i - 1
              : i;
          this.pushDateFilter(start, (column) => ({ kind: 'trailing', column, amount, unit }));
          this.markUsed(start, i - start + span);
          continue;
        }
      }
      const keyword = this.firstPhraseAt(i, [
        'between',
        'from',
        'in',
        'during',
        'for',
        'of',
        'within',
        'on',
        'before',
        'prior to',
        'earlier than',
        'until',
        'till',
        'through',
        'up to',
        'after',
        'later than',
        'since',
        'starting',
        'compare',
      ]);
      const at = keyword ? i + keyword[1] : i;
      const skipThe = this.word(at) === 'the' ? 1 : 0;
      // A follow-up's lone year is the period ("just 2024", "what about 2023?"): quantities were read already.
      const first = readPeriod(
        this.lex,
        at + skipThe,
        keyword !== undefined || this.options.fragment === true,
      );
      if (!first || this.used[at + skipThe]) continue;
      const afterFirst = at + skipThe + first.length;
      const kw = keyword?.[0];
      // A second period: a range ("between A and B", "from A to B") or a comparison ("A vs B").
      const joiner = this.firstPhraseAt(afterFirst, [
        'and',
        'to',
        'until',
        'through',
        'till',
        'with',
        ...VERSUS_PHRASES,
      ]);
      const second = joiner ? readPeriod(this.lex, afterFirst + joiner[1], true) : undefined;
      if (second && joiner) {
        const isRange = (kw === 'between' || kw === 'from') && !VERSUS_PHRASES.includes(joiner[0]);
        const isVersus = VERSUS_PHRASES.includes(joiner[0]) || kw === 'compare';
        if (isRange && first.period.kind === 'range' && second.period.kind === 'range') {
          const range: Period = {
            kind: 'range',
            start: first.period.start,
            end: second.period.end,
            label: `${first.period.label} to ${second.period.label}`,
          };
          this.pushDateFilter(i, (column) => ({ kind: 'period', column, period: range, relation: 'within' }));
          this.markUsed(i, afterFirst + joiner[1] + second.length - i);
          continue;
        }
        if (isVersus) {
          const column = this.dateColumnNear(i).column ?? this.defaultDateColumn();
          for (const p of [first.period, second.period])
            this.comparisons.push({
              label: p.label,
              filter: { kind: 'period', column, period: p, relation: 'within' },
            });
          this.markUsed(i, afterFirst + joiner[1] + second.length - i);
          continue;
        }
      }
      if (kw === 'compare' || kw === 'between') continue;
      const relation =
        kw === undefined || ['in', 'during', 'for', 'of', 'within', 'on'].includes(kw)
          ? 'within'
          : ['before', 'prior to', 'earlier than'].includes(kw)
            ? 'before'
            : ['until', 'till', 'through', 'up to'].includes(kw)
              ? 'until'
              : ['after', 'later than'].includes(kw)
                ? 'after'
                : 'from';
      // A bare number is a year only when nothing else claims it (quantities were read already).
      if (kw === undefined && first.period.kind === 'range' && isYear(this.lex[at]) && first.length === 1) {
        if (
          this.lex[at - 1]?.kind === 'word' &&
          ['top', 'bottom', 'first'].includes((this.lex[at - 1] as { text: string }).text)
        )
          continue;
      }
      const period = first.period;
      if (period.kind === 'month-of-year' && relation !== 'within') continue;
      this.pushDateFilter(i, (column) => {
        if (relation === 'within' || period.kind === 'month-of-year')
          return { kind: 'period', column, period, relation: 'within' };
        if (relation === 'before') return { kind: 'period', column, period, relation: 'before' };
        if (relation === 'until')
          return { kind: 'period', column, period: { ...period, start: period.end }, relation: 'before' };
        if (relation === 'after')
          return { kind: 'period', column, period: { ...period, start: period.end }, relation: 'from' };
        return { kind: 'period', column, period, relation: 'from' };
      });
      this.markUsed(i, afterFirst - i);
    }
  }

  /** "by month", "per year", "monthly", "over time". */
  private readTimeGroups() {
    for (let i = 0; i < this.lex.length; i++) {
      const w = this.word(i);
      if (!w) continue;
      let unit: GroupUnit | undefined;
      let start = i;
      let length = 1;
      const weekday =
        w === 'weekday' || w === 'weekdays'
          ? 1
          : this.phraseAt(i, 'day of week') || this.phraseAt(i, 'day of the week');
      if (weekday && GROUP_WORDS.includes(this.word(i - 1) ?? ''))
        [unit, start, length] = ['weekday', i - 1, weekday + 1];
      else if (w.endsWith('ly') || w === 'annual') unit = TIME_UNIT_WORDS[w];
      else if ((w === 'over' || w === 'across' || w === 'through') && this.word(i + 1) === 'time')
        [unit, length] = [this.trendUnit(), 2];
      else if ((w === 'over' || w === 'across' || w === 'through') && this.yearsAt(i + 1))
        [unit, length] = ['year', 1 + this.yearsAt(i + 1)];
      else if (w === 'trend' || w === 'trends' || w === 'timeline' || w === 'evolution')
        unit = this.trendUnit();
      else if (TIME_UNIT_WORDS[w] && !w.endsWith('s') && this.superlativeBefore(i)) {
        // "hottest day", "busiest month": one row per day, the best one (ranked later).
        unit = TIME_UNIT_WORDS[w];
      } else if (TIME_UNIT_WORDS[w]) {
        const group = GROUP_WORDS.map((g) => g.split(' ')).find((g) =>
          g.every((part, k) => this.word(i - g.length + k) === part),
        );
        if (group) {
          unit = TIME_UNIT_WORDS[w];
          start = i - group.length;
          length = group.length + 1;
          if (group.join(' ') === 'per') this.perTimeUnit = unit;
          if (DISTRIBUTIVE_GROUP_WORDS.has(group.join(' '))) this.distributiveGroup = true;
        } else if (this.word(i + 1) === 'by' && this.word(i + 2) === w) {
          // "month by month"
          [unit, length] = [TIME_UNIT_WORDS[w], 3];
        }
      }
      if (!unit) continue;
      // The date column: named right after ("by month of order date") or the default one.
      let column: ColumnDescription | undefined;
      const after = this.word(start + length) === 'of' ? start + length + 1 : start + length;
      if (this.columnAt(after, isTemporal)) {
        column = this.columnAt(after, isTemporal);
        this.markUsed(start + length, after - start - length + 1);
      }
      this.markUsed(start, length);
      const existing = this.filters.find((f) => f.kind === 'period' || f.kind === 'trailing');
      this.groups.push({
        kind: 'time',
        unit,
        column: column ?? existing?.column ?? this.defaultDateColumn(),
      });
    }
  }

  /** Both numbers are years the dataset's year column (its time, no date column) holds. */
  private yearsOfTimeColumn(...numbers: NumberToken[]): boolean {
    if (this.index.columns.some(isTemporal)) return false;
    const year = yearTimeColumn(this.index.columns);
    return (
      year !== undefined &&
      numbers.every((n) => isYear(n) && n.value >= Number(year.min) && n.value <= Number(year.max))
    );
  }

  /** A trend is monthly, or yearly when the dataset's time is a year column. */
  private trendUnit(): GroupUnit {
    const temporal = this.index.columns.filter(isTemporal);
    return temporal.length === 0 && yearTimeColumn(this.index.columns) ? 'year' : 'month';
  }

  /** Length of "years" / "the years" at i ("over the years"), the word or a year column's name. */
  private yearsAt(i: number): number {
    const skip = this.word(i) === 'the' ? 1 : 0;
    const l = this.lex[i + skip];
    if (this.used[i + skip]) return 0;
    const text = l?.kind === 'word' ? l.text : l?.kind === 'column' ? l.raw.toLowerCase() : undefined;
    return text === 'years' ? skip + 1 : 0;
  }

  /** "how has X changed over the years": with a time group, the verb only says "over time". */
  private readChangeVerbs() {
    if (!this.groups.some((g) => g.kind === 'time')) return;
    for (let i = 0; i < this.lex.length; i++) if (CHANGE_VERBS.has(this.word(i) ?? '')) this.markUsed(i);
  }

  private superlativeBefore(i: number): boolean {
    const w = this.word(i - 1);
    if (!w) return false;
    return (
      SUPERLATIVES[w] !== undefined ||
      SUPERLATIVE_COLUMNS[w] !== undefined ||
      /^[a-z]{3,}iest$/.test(w) ||
      (MOST_ADJECTIVE_COLUMNS[w] !== undefined &&
        (this.word(i - 2) === 'most' || this.word(i - 2) === 'least'))
    );
  }

  /** Cell values named in the question: "orders from Germany", "not Cancelled", "France vs Spain". */
  private readValueFilters() {
    const byColumn = new Map<ColumnDescription, { values: string[]; negated: boolean; versus: boolean }>();
    for (let i = 0; i < this.lex.length; i++) {
      const l = this.lex[i]!;
      if (l.kind !== 'value' || this.used[i]) continue;
      let hits: ValueHit[] = l.hits;
      // A column named next to the value settles which column holds it ("ship country France").
      for (const k of [i - 1, i + 1, i - 2]) {
        const near = this.lex[k];
        if (near?.kind === 'column' && !this.used[k]) {
          const inBoth = hits.filter((h) => near.hits.some((c) => c.column === h.column));
          if (inBoth.length > 0) {
            hits = inBoth;
            this.markUsed(k);
            if (k === i - 2 && ['is', '=', 'equals'].includes(this.word(i - 1) ?? '')) this.markUsed(i - 1);
            break;
          }
        }
      }
      this.refuseValueOfOtherColumn(l.raw, hits, i);
      hits = this.directedHits(hits, i);
      if (new Set(hits.map((h) => h.column)).size > 1)
        throw new NotUnderstood(
          `"${l.raw}" appears in several columns (${[...new Set(hits.map((h) => h.column.originalName))].join(', ')}); name the column too.`,
          { ambiguous: [...new Set(hits.map((h) => h.column))] },
        );
      const { column, value } = hits[0]!;
      const negWord = this.word(i - 1);
      let negated = false;
      if (negWord && NEGATIONS.has(negWord)) {
        negated = true;
        this.markUsed(i - 1);
      } else if (this.phraseAt(i - 2, 'other than') || this.phraseAt(i - 2, 'apart from')) {
        negated = true;
        this.markUsed(i - 2, 2);
      }
      const versus = VERSUS_PHRASES.some((v) => this.phraseAt(i - v.split(' ').length, v) > 0);
      if (versus)
        for (const v of VERSUS_PHRASES)
          if (this.phraseAt(i - v.split(' ').length, v))
            this.markUsed(i - v.split(' ').length, v.split(' ').length);
      const entry = byColumn.get(column) ?? { values: [], negated, versus: false };
      if (!entry.values.includes(value)) entry.values.push(value);
      entry.versus ||= versus;
      byColumn.set(column, entry);
      this.markUsed(i);
      if (this.word(i - 1) === 'compare') this.markUsed(i - 1);
    }
    for (const [column, { values, negated, versus }] of byColumn) {
      this.filters.push({ kind: 'in', column, values, negated });
      // "France vs Germany", "France and Germany": one row per value; but "how much came from
      // Spain and Italy", "... in total", "combined" ask for one amount over both.
      if (
        values.length > 1 &&
        !negated &&
        (versus ||
          (this.lex.some((l, k) => l.kind === 'word' && l.text === 'and' && !this.used[k]) &&
            !this.asksOneAmount()))
      )
        this.groups.push({ kind: 'column', column });
    }
    // Unknown values typed after an explicit column: "where city is 'Lyon'", "customer = Acme".
    for (let i = 0; i < this.lex.length; i++) {
      const column = this.columnAt(i, (c) => c.type === 'text');
      if (!column) continue;
      const link = this.lex[i + 1];
      const isLink =
        (link?.kind === 'op' && (link.op === '=' || link.op === '<>')) ||
        (link?.kind === 'word' && ['is', 'equals', 'named', 'called', '='].includes(link.text));
      if (!isLink || this.used[i + 1]) continue;
      const negated = (link.kind === 'op' && link.op === '<>') || this.word(i + 2) === 'not';
      const at = i + 2 + (this.word(i + 2) === 'not' ? 1 : 0);
      const target = this.lex[at];
      if (!target || this.used[at]) continue;
      let value: string | undefined;
      let span = 1;
      if (target.kind === 'quoted') value = target.raw;
      else if (target.kind === 'word' && /^\p{Lu}/u.test(target.raw)) {
        // A capitalised run: "New Caledonia".
        const parts = [target.raw];
        while (
          this.lex[at + span]?.kind === 'word' &&
          /^\p{Lu}/u.test((this.lex[at + span] as { raw: string }).raw)
        ) {
          parts.push((this.lex[at + span] as { raw: string }).raw);
          span++;
        }
        value = parts.join(' ');
      }
      if (value === undefined || NULL_WORDS.has(value.toLowerCase())) continue;
      this.filters.push({ kind: 'text-equals', column, value, negated });
      this.markUsed(i, at - i + span);
    }
  }

  /**
   * "the city New York" where New York is a State (the city is New York City): the column the
   * question names for the value is not one that holds it, so filtering the other column would
   * answer a different question.
   */
  private refuseValueOfOtherColumn(raw: string, hits: ValueHit[], i: number) {
    const at = ['is', '=', 'named', 'called', 'equals'].includes(this.word(i - 1) ?? '') ? i - 2 : i - 1;
    const named = this.lex[at];
    if (named?.kind !== 'column' || this.used[at]) return;
    const textHits = named.hits.filter((h) => h.column.type === 'text');
    if (textHits.length === 0 || textHits.length !== named.hits.length) return;
    if (textHits.some((t) => hits.some((h) => h.column === t.column))) return;
    throw new NotUnderstood(
      `"${raw}" is a value of ${[...new Set(hits.map((h) => h.column.originalName))].join(', ')}, not of ${textHits[0]!.column.originalName}; name the value as it is stored.`,
      { ambiguous: [textHits[0]!.column, ...hits.map((h) => h.column)] },
    );
  }

  /**
   * "from AMS to LHR", "trips to JFK Airport": a value found in both columns of an origin /
   * destination pair goes to the one the preposition names, when the headers say which is which.
   */
  private directedHits(hits: ValueHit[], i: number): ValueHit[] {
    const before = this.word(i - 1);
    const verbSide = this.journeyVerbSide(i);
    const side =
      verbSide ??
      (before === 'from'
        ? ORIGIN_WORDS
        : before === 'to' || before === 'into'
          ? DESTINATION_WORDS
          : undefined);
    if (!side) return hits;
    const other = side === ORIGIN_WORDS ? DESTINATION_WORDS : ORIGIN_WORDS;
    const directed = hits.filter((h) => wordsOfHeader(h.column).some((w) => side.has(w)));
    if (new Set(directed.map((h) => h.column)).size === 1) return directed;
    if (directed.length > 0 || hits.length !== 1 || !wordsOfHeader(hits[0]!.column).some((w) => other.has(w)))
      return hits;
    // "flights to AMS" where AMS is only among the origins seen: the destination is still meant.
    const { column, value } = hits[0]!;
    const rest = wordsOfHeader(column)
      .filter((w) => !other.has(w))
      .join(' ');
    const partners = this.index.columns.filter(
      (c) =>
        c.type === column.type &&
        wordsOfHeader(c).some((w) => side.has(w)) &&
        wordsOfHeader(c)
          .filter((w) => !side.has(w))
          .join(' ') === rest,
    );
    if (partners.length !== 1)
      throw new NotUnderstood(
        `"${value}" is a value of ${column.originalName}; name the column it should be in.`,
      );
    return [{ column: partners[0]!, value }];
  }

  /**
   * "picked up at JFK Airport", "dropped off in Queens": the verb names the end of the journey
   * (its words are used here, as "from" and "to" are by the value filter).
   */
  private journeyVerbSide(i: number): Set<string> | undefined {
    const at = this.word(i - 1);
    if (at !== 'at' && at !== 'in') return undefined;
    for (const [phrase, side] of JOURNEY_VERBS) {
      const words = phrase.split(' ');
      const start = i - 1 - words.length;
      if (start >= 0 && this.phraseAt(start, phrase) === words.length) {
        this.markUsed(start, words.length);
        return side;
      }
    }
    return undefined;
  }

  /** "<column> is missing", "without <column>", "paid orders", "not remote", "where paid is false". */
  private readNullAndBooleanFilters() {
    for (let i = 0; i < this.lex.length; i++) {
      const l = this.lex[i]!;
      if (l.kind !== 'column' || this.used[i]) continue;
      const column = pickColumn(l, () => true);
      if (!column) continue;
      // "<column> is (not) missing"
      const isAt = this.word(i + 1) === 'is' || this.word(i + 1) === 'are' ? i + 1 : -1;
      const notAt = isAt > 0 && this.word(isAt + 1) === 'not' ? isAt + 1 : -1;
      const nullAt = notAt > 0 ? notAt + 1 : isAt > 0 ? isAt + 1 : -1;
      if (nullAt > 0 && NULL_WORDS.has(this.word(nullAt) ?? '')) {
        this.filters.push({ kind: 'null', column, negated: notAt > 0 });
        this.markUsed(i, nullAt - i + 1);
        continue;
      }
      const before = this.word(i - 1);
      // "no tip" on a number: datasets store "none" as 0 as often as leave it empty, so both count.
      // "missing tip" is only the empty cells.
      const noneWord = before === 'without' || before === 'no' || before === 'zero';
      if (noneWord && isNumeric(column) && !isIdColumn(column) && pickColumn(l, isNumeric) === column) {
        this.filters.push({ kind: 'zero-or-null', column });
        this.markUsed(i - 1, 2);
        continue;
      }
      // "houses with central air", "no central air": a Y/N text column is a yes/no flag.
      const yesNo = yesNoValues(column);
      const flagWord = before === 'with' || before === 'without' || before === 'no' || before === 'not';
      if (yesNo && flagWord && pickColumn(l, (c) => yesNoValues(c) !== undefined) === column) {
        const value = before === 'with' ? yesNo.yes : yesNo.no;
        this.filters.push({ kind: 'in', column, values: [value], negated: false });
        this.markUsed(i - 1, 2);
        continue;
      }
      if ((before === 'missing' || before === 'without' || before === 'no') && column.type !== 'boolean') {
        this.filters.push({ kind: 'null', column, negated: false });
        this.markUsed(i - 1, 2);
        continue;
      }
      if (!isFlag(column) || pickColumn(l, isFlag) !== column) continue;
      // "average survived", "count by churned": the 0/1 column is the measure or the group.
      const previous = this.word(i - 1) ?? '';
      if (
        column.type !== 'boolean' &&
        (AGGREGATE_PHRASES.some(([phrase]) => phrase === previous) || GROUP_WORDS.includes(previous))
      )
        continue;
      let value = !l.negated;
      let start = i;
      let length = 1;
      // "not paid", "haven't been paid" (the lexer reads "haven't" as "have not").
      const auxiliary = before !== undefined && BE_WORDS.has(before) ? 1 : 0;
      const negation = this.word(i - 1 - auxiliary);
      if (negation && NEGATIONS.has(negation)) {
        value = !value;
        start = i - 1 - auxiliary;
        length = 2 + auxiliary;
      }
      const truth = this.word(i + (isAt > 0 ? 2 : 1));
      if (truth && ['true', 'yes', 'false', 'no'].includes(truth)) {
        if (truth === 'false' || truth === 'no') value = !value;
        length += isAt > 0 ? 2 : 1;
      }
      this.filters.push({ kind: 'boolean', column, value });
      this.markUsed(start, length);
    }
  }

  /** "by region", "per customer and product", "which region ...", "most common status". */
  private readColumnGroups() {
    // "top 5 customers by revenue": with a ranking word, "by <number column>" is what to rank by.
    const ranked = this.lex.some(
      (l, k) => l.kind === 'word' && !this.used[k] && SUPERLATIVES[l.text] !== undefined,
    );
    const groupable = (c: ColumnDescription) => !(ranked && isNumeric(c)) || isYearColumn(c);
    for (let i = 0; i < this.lex.length; i++) {
      const group = this.firstPhraseAt(i, GROUP_WORDS);
      if (group) {
        let k = i + group[1];
        let found = false;
        while (true) {
          // "by number of cylinders": the levels of a whole-number column, not a count or a total.
          const numberOf = this.word(k) === 'number' && this.word(k + 1) === 'of';
          const at = this.word(k) === 'the' ? k + 1 : numberOf ? k + 2 : k;
          const column = this.columnAt(at, numberOf ? (c) => groupable(c) && isWholeNumber(c) : groupable);
          if (!column && numberOf && !found && this.columnAt(at, isNumeric))
            throw new NotUnderstood(
              '"By number of" needs a whole-number column to group by, e.g. "by number of <column>".',
            );
          if (!column) break;
          // "by order date" is a time series: one point per day, in date order.
          this.groups.push(
            isTemporal(column) ? { kind: 'time', unit: 'day', column } : { kind: 'column', column },
          );
          this.markUsed(k, at - k + 1);
          found = true;
          k = at + 1;
          if (this.word(k) === 'and' && this.lex[k + 1]?.kind === 'column') this.markUsed(k++);
          else break;
        }
        if (found && DISTRIBUTIVE_GROUP_WORDS.has(group[0])) this.distributiveGroup = true;
        if (found) this.markUsed(i, group[1]);
        else if (this.columnAt(i + group[1], isNumeric)) this.markUsed(i, group[1]);
        continue;
      }
      const w = this.word(i);
      if (w === 'which' || w === 'what' || w === 'who') {
        // "which region": the region is asked for; "who earns" names a number to measure instead.
        const column = this.columnAt(i + 1, () => true);
        if (column && !isNumeric(column)) {
          this.interrogatives.push(column);
          this.markUsed(i, 2);
        }
      }
      // "most common status", "least frequent product", "most popular category"
      if (
        (w === 'most' || w === 'least') &&
        ['common', 'frequent', 'popular', 'used'].includes(this.word(i + 1) ?? '')
      ) {
        // "most common (order) status": a row noun may sit between.
        const skip = this.isRowNounWord(i + 2) ? 1 : 0;
        const column = this.columnAt(i + 2 + skip, () => true);
        if (column) {
          this.groups.push({ kind: 'column', column });
          this.countAsked = true;
          const plural = isPlural((this.lex[i + 2 + skip] as { raw: string }).raw);
          // "the 2 most popular stations": a count before the superlative is the ranking's size.
          const before = this.lex[i - 1];
          const limit =
            before?.kind === 'number' && before.plainInteger && !this.used[i - 1] && plural
              ? before.value
              : undefined;
          this.ranking = {
            direction: w === 'most' ? 'desc' : 'asc',
            limit: limit ?? (plural ? undefined : 1),
            plural,
          };
          this.markUsed(i, 3 + skip);
          if (limit !== undefined) this.markUsed(i - 1);
        }
      }
    }
  }

  /** "top 5", "bottom 3", "5 highest", "highest", "the most". */
  private readRanking() {
    for (let i = 0; i < this.lex.length; i++) {
      const w = this.word(i);
      if (!w) continue;
      // "youngest", "cheapest", "windiest", "most expensive": a superlative that names its column.
      const named = this.namedSuperlative(i);
      if (named && !this.superlative) {
        this.superlative = { direction: named.direction, at: i };
        this.measures.push({ agg: defaultAggregate(named.column), column: named.column, implicit: true });
        this.markUsed(i, named.length);
        continue;
      }
      // "latest 10 orders", "the 5 most recent records", "first 3 rows": rows in date order.
      const recent = LATEST.has(w)
        ? 'desc'
        : EARLIEST.has(w)
          ? 'asc'
          : this.phraseAt(i, 'most recent')
            ? 'desc'
            : undefined;
      const recentLength = this.phraseAt(i, 'most recent') ? 2 : 1;
      const countAt = i + recentLength;
      const count = this.lex[countAt];
      // "the 5 most recent orders": the count may come first.
      const before = this.lex[i - 1];
      if (
        recent &&
        before?.kind === 'number' &&
        before.plainInteger &&
        !this.used[i - 1] &&
        !this.recentRows
      ) {
        const noun = this.word(i + recentLength);
        if (noun === undefined || ROW_NOUNS.has(noun) || this.index.rowNounStems.has(stem(noun))) {
          this.recentRows = { direction: recent, limit: before.value };
          this.markUsed(i - 1, recentLength + 1);
          continue;
        }
      }
      if (
        recent &&
        count?.kind === 'number' &&
        count.plainInteger &&
        !this.used[countAt] &&
        !this.recentRows
      ) {
        const noun = this.word(countAt + 1);
        if (noun === undefined || ROW_NOUNS.has(noun) || this.index.rowNounStems.has(stem(noun))) {
          this.recentRows = { direction: recent, limit: count.value };
          this.markUsed(i, recentLength + 1);
          continue;
        }
      }
      const next = this.lex[i + 1];
      const prev = this.lex[i - 1];
      if ((w === 'top' || w === 'bottom') && !this.ranking) {
        const hasNumber = next?.kind === 'number' && next.plainInteger && !this.used[i + 1];
        const following = this.lex[i + (hasNumber ? 2 : 1)];
        const plural = following !== undefined && 'raw' in following && isPlural(following.raw);
        this.ranking = {
          direction: w === 'top' ? 'desc' : 'asc',
          limit: hasNumber ? (next as NumberToken).value : plural ? undefined : 1,
          plural,
        };
        this.markUsed(i, hasNumber ? 2 : 1);
        continue;
      }
      const direction = SUPERLATIVES[w] ?? this.superlativeOfNextColumn(i);
      if (!direction) continue;
      if (!this.ranking) {
        // "which 3 products sold the highest quantity": the count sits before the ranked column.
        const k = this.lex.findIndex(
          (l, j) =>
            j < i &&
            l.kind === 'number' &&
            l.plainInteger &&
            !this.used[j] &&
            this.lex[j + 1]?.kind === 'column',
        );
        if (k >= 0 && ['which', 'what', 'the'].includes(this.word(k - 1) ?? '')) {
          this.ranking = { direction, limit: (this.lex[k] as NumberToken).value, plural: true };
          this.markUsed(k);
          this.markUsed(i);
          continue;
        }
      }
      if (prev?.kind === 'number' && prev.plainInteger && !this.used[i - 1] && !this.ranking) {
        this.ranking = { direction, limit: prev.value, plural: true };
        this.markUsed(i - 1, 2);
      } else if (next?.kind === 'number' && next.plainInteger && !this.used[i + 1] && !this.ranking) {
        this.ranking = { direction, limit: next.value, plural: true };
        this.markUsed(i, 2);
      } else if (
        this.readExtremePerGroup(i, SUPERLATIVES[w] ? w : direction === 'desc' ? 'highest' : 'lowest')
      ) {
        // "highest wind speed at each station": read as the maximum per station
      } else if (!this.superlative) {
        this.superlative = { direction, at: i };
        this.markUsed(i);
      }
    }
  }

  /**
   * "highest wind speed at each station", "lowest price for every airline": a superlative right
   * before a number column, with a group named by each/every/per, is that column's maximum or
   * minimum in each group, not the one group with the highest value. Not when a question word
   * asks for a group ("which station has the highest wind speed in each month" wants a station per
   * month) or another column is left to place.
   */
  private readExtremePerGroup(i: number, w: string): boolean {
    const agg = EXTREME_AGGREGATES[w];
    if (!agg || !this.distributiveGroup || this.interrogatives.length > 0) return false;
    if (this.lex.some((l, k) => l.kind === 'word' && !this.used[k] && QUESTION_GROUP_WORDS.has(l.text)))
      return false;
    if (!this.columnAt(i + 1, isNumeric)) return false;
    if (this.lex.some((l, k) => l.kind === 'column' && !this.used[k] && k !== i + 1)) return false;
    this.pendingAggregates.push({ agg, at: i + 1, distinct: false, from: i });
    this.aggregateWordAt.add(i);
    this.markUsed(i);
    return true;
  }

  /** Aggregate words are bound to their column after the other passes took what they need. */
  private readAggregates() {
    this.readAggregateNamedColumns();
    for (let i = 0; i < this.lex.length; i++) {
      const count = this.firstPhraseAt(i, COUNT_PHRASES);
      if (count) {
        // "how many days", "how many snow days": one value may qualify the unit.
        const unitAt =
          this.lex[i + count[1]]?.kind === 'value' && this.word(i + count[1] + 1)
            ? i + count[1] + 1
            : i + count[1];
        const unitWord = this.word(unitAt);
        const unit = unitWord?.endsWith('s') ? TIME_UNIT_WORDS[unitWord] : undefined;
        // "how many years": the distinct years of a year column, never their sum.
        const yearColumn = this.columnAt(i + count[1], isYearColumn);
        if (yearColumn && (count[0] === 'how many' || count[0] === 'number of')) {
          this.measures.push({ agg: 'count-distinct', column: yearColumn });
          this.countAsked = true;
          this.markUsed(i, count[1] + 1);
          continue;
        }
        if (unit && count[0] === 'how many') {
          // "how many days ...": distinct calendar days of the date column, not rows.
          this.measures.push({ agg: 'count-distinct', column: this.defaultDateColumn(), unit });
          this.countAsked = true;
          this.markUsed(i, count[1]);
          this.markUsed(unitAt);
          continue;
        }
        const distinct = DISTINCT_WORDS.has(this.word(i + count[1]) ?? '');
        this.pendingAggregates.push({ agg: 'count', at: i + count[1] + (distinct ? 1 : 0), distinct });
        this.countAsked = true;
        this.markUsed(i, count[1] + (distinct ? 1 : 0));
        if (this.word(i - 1) === 'total') this.markUsed(i - 1);
        continue;
      }
      const w = this.word(i);
      if (w && DISTINCT_WORDS.has(w)) {
        this.pendingAggregates.push({ agg: 'count', at: i + 1, distinct: true });
        this.markUsed(i);
        continue;
      }
      if (w && (EARLIEST.has(w) || LATEST.has(w)) && this.columnAt(i + 1, isTemporal)) {
        this.pendingAggregates.push({ agg: EARLIEST.has(w) ? 'min' : 'max', at: i + 1, distinct: false });
        this.markUsed(i);
        continue;
      }
      for (const [phrase, agg] of AGGREGATE_PHRASES) {
        const n = this.phraseAt(i, phrase);
        if (!n) continue;
        this.pendingAggregates.push({ agg, at: i + n, distinct: false, from: i });
        this.markUsed(i, n);
        for (let k = i; k < i + n; k++) this.aggregateWordAt.add(k);
        break;
      }
    }
  }

  /**
   * A column named like an aggregate word (taxis' "total", a "count" column) read as that word
   * where it qualifies another column: "total fare" is the sum of Fare, not Total and Fare; "in
   * total" only says one amount is wanted.
   */
  private readAggregateNamedColumns() {
    for (let i = 0; i < this.lex.length; i++) {
      const l = this.lex[i]!;
      if (this.word(i) === 'total' && this.word(i - 1) === 'in') {
        this.inTotal = true;
        this.markUsed(i - 1, 2);
        continue;
      }
      if (l.kind !== 'column' || this.used[i] || l.raw.includes(' ')) continue;
      const word = l.raw.toLowerCase();
      if (word === 'total' && this.word(i - 1) === 'in') {
        this.inTotal = true;
        this.markUsed(i - 1, 2);
        continue;
      }
      const agg = AGGREGATE_PHRASES.find(([phrase]) => phrase === word)?.[1];
      if (!agg) continue;
      let at = this.word(i + 1) === 'of' ? i + 2 : i + 1;
      // "total trip fare": a row noun may stand between.
      if (this.isRowNounWord(at) && this.lex[at + 1]?.kind === 'column') at++;
      const next = this.lex[at];
      if (next?.kind !== 'column' || this.used[at] || !pickColumn(next, isNumeric)) continue;
      this.pendingAggregates.push({ agg, at, distinct: false, from: i });
      this.markUsed(i, at - i);
      this.aggregateWordAt.add(i);
    }
  }

  private readPercentAndListWords() {
    for (let i = 0; i < this.lex.length; i++) {
      const w = this.word(i);
      if (!w) continue;
      if (PERCENT_WORDS.has(w)) {
        this.percentAsked = true;
        this.markUsed(i);
      } else if (LIST_WORDS.has(w)) this.listAsked = true;
    }
    if (this.lex.some((l) => l.kind === 'number' && l.percent) && this.percentAsked) {
      // "50%" is a value, not a request for percentages: nothing to do, filters took it.
    }
  }

  /** Each aggregate word takes the next column within a few words ("average unit price"). */
  private bindAggregates() {
    // Columns are marked used after all aggregates are bound, so several can share one.
    const bound: number[] = [];
    for (const pending of this.pendingAggregates) {
      let colAt = -1;
      let nounAt = -1;
      for (let k = pending.at; k < pending.at + 4 && k < this.lex.length; k++) {
        const l = this.lex[k]!;
        if (l.kind === 'column' && !this.used[k]) {
          colAt = k;
          break;
        }
        // "average trip distance", "average order quantity": the row noun qualifies the column.
        if (pending.agg !== 'count' && nounAt < 0 && l.kind === 'word' && this.isRowNounWord(k)) {
          nounAt = k;
          continue;
        }
        // "minimum and maximum price": the next aggregate word shares the column.
        if (
          this.aggregateWordAt.has(k) ||
          (l.kind === 'word' && l.text === 'and' && this.aggregateWordAt.has(k + 1))
        )
          continue;
        if (
          !(
            l.kind === 'word' &&
            (LINK_WORDS.has(l.text) || this.isFiller(l.text) || DISTINCT_WORDS.has(l.text))
          )
        )
          break;
      }
      // "conversion total", "salary average": the column right before, when none follows.
      if (
        colAt < 0 &&
        pending.from !== undefined &&
        pending.agg !== 'count' &&
        this.endsQuestion(pending.at)
      ) {
        const before = this.lex[pending.from - 1];
        if (before?.kind === 'column' && !this.used[pending.from - 1] && pickColumn(before, isNumeric))
          colAt = pending.from - 1;
      }
      if (nounAt >= 0 && colAt >= 0) this.bindRowNoun(pending.agg as Aggregate, nounAt, colAt);
      else nounAt = -1;
      const lexeme = colAt >= 0 ? (this.lex[colAt] as ColumnLexeme) : undefined;
      const entityId = pending.agg === 'count' ? this.entityIdAt(pending.at) : undefined;
      if (entityId) {
        this.measures.push({ agg: 'count-distinct', column: entityId.column });
        this.markUsed(entityId.at);
        continue;
      }
      if (pending.agg === 'count') {
        const column = lexeme ? pickColumn(lexeme, () => true) : undefined;
        if (column && (pending.distinct || column.type === 'text')) {
          this.measures.push({ agg: 'count-distinct', column });
          this.markUsed(colAt);
        } else if (pending.distinct) {
          throw new NotUnderstood('Distinct count of what? Name a column after "distinct".');
        } else if (column && isFlag(column)) {
          this.measures.push(this.rowCount());
          this.filters.push({ kind: 'boolean', column, value: !lexeme!.negated });
          this.markUsed(colAt);
        } else if (column && isNumeric(column) && !isIdColumn(column) && defaultAggregate(column) === 'sum') {
          // "how many units", "number of passengers" on a Passengers column: the amount they add up
          // to; counting the rows as well would answer a question nobody asked.
          this.measures.push({ agg: 'sum', column });
          this.markUsed(colAt);
        } else this.measures.push(this.rowCount());
        continue;
      }
      const accept =
        pending.agg === 'min' || pending.agg === 'max'
          ? (c: ColumnDescription) => isNumeric(c) || isTemporal(c)
          : isNumeric;
      const column = lexeme ? pickColumn(lexeme, accept) : undefined;
      const next = this.lex[pending.at];
      // An unknown word right after ("average profit") is reported as unknown, which is clearer.
      if (!column && next?.kind === 'word' && !this.used[pending.at] && !this.isFiller(next.text)) {
        this.skippedAggregates.push({ agg: pending.agg, at: pending.at });
        continue;
      }
      if (!column && !lexeme && this.options.fragment) {
        this.bareAggregates.push(pending.agg);
        continue;
      }
      if (!column) {
        const named = lexeme ? lexeme.raw : undefined;
        throw new NotUnderstood(
          named
            ? `"${named}" is not a numeric column, so I cannot take its ${describeAggregate(pending.agg)}.`
            : `${capitalise(describeAggregate(pending.agg))} of what? Name a numeric column.`,
        );
      }
      this.measures.push({ agg: pending.agg, column });
      bound.push(colAt);
    }
    for (const colAt of bound) this.markUsed(colAt);
  }

  /**
   * "average order quantity" where orders have an "Order ID": rows may be order lines, and the
   * mean over orders needs each order's total first, which one SELECT of the rows does not give.
   * A sum is the same over lines as over orders; a noun with no identifier column is the row.
   */
  private bindRowNoun(agg: Aggregate, nounAt: number, colAt: number) {
    const noun = this.word(nounAt)!;
    const idColumn = this.index.idColumnsByStem.get(stem(noun));
    const column = pickColumn(this.lex[colAt] as ColumnLexeme, isNumeric);
    if (idColumn && agg !== 'sum' && column)
      throw new NotUnderstood(
        `"${describeAggregate(agg)} ${noun} ${column.originalName}" needs each ${noun}'s total first, and one ${noun} (${idColumn.originalName}) can span several rows; ask for "${describeAggregate(agg)} ${column.originalName}" per row or "total ${column.originalName} by ${idColumn.originalName}".`,
      );
    this.markUsed(nounAt);
  }

  /**
   * An aggregate word whose next word was later read as something else (a row noun, a list
   * word) bound no column: answering without it ("average order quantity" as a sum) is wrong.
   */
  private refuseDroppedAggregates() {
    const dropped = this.skippedAggregates[0];
    if (dropped)
      throw new NotUnderstood(
        `${capitalise(describeAggregate(dropped.agg))} of what? Name a numeric column right after "${describeAggregate(dropped.agg)}".`,
      );
  }

  /** Columns named but not yet used: numeric ones are measures, others group or list. */
  private readRemainingColumns() {
    for (let i = 0; i < this.lex.length; i++) {
      const l = this.lex[i]!;
      if (l.kind !== 'column' || this.used[i]) continue;
      const best = l.hits[0]!;
      const top = l.hits.filter((h) => h.score === best.score);
      // A partial match on a word like "customers" in "how many customers" was bound above; here a
      // weak match to an id-like column is the rows themselves ("orders" vs order_id).
      if (best.score === 1 && this.isRowNoun(l)) {
        this.rowNounColumnNamed = true;
        this.markUsed(i);
        continue;
      }
      // An identifier is not an amount: "passengers" near PassengerId names the rows. Its whole
      // header ("country codes", "flight numbers") names the column itself, listed like any text.
      const wholeCodeHeader =
        best.score === 3 &&
        !isNumeric(best.column) &&
        ID_WORDS_SPOKEN.has(stem(l.raw.split(' ').at(-1)!.toLowerCase()));
      if (top.every((h) => isIdColumn(h.column)) && this.isRowNoun(l) && !wholeCodeHeader) {
        this.rowNounColumnNamed = true;
        this.markUsed(i);
        continue;
      }
      const numeric = top.filter((h) => isNumeric(h.column));
      if (numeric.length > 0 && (numeric.length === top.length || top.length === 1)) {
        const column = pickColumn(l, isNumeric)!;
        // "payroll" is the total of the salaries, though a salary alone is averaged.
        const summed = l.raw.split(' ').some((w) => SUMMED_SYNONYMS.has(w.toLowerCase()));
        this.measures.push({ agg: summed ? 'sum' : defaultAggregate(column), column, implicit: true });
        this.markUsed(i);
        continue;
      }
      const column = pickColumn(l, () => true)!;
      const next = this.lex[i + 1];
      if (next?.kind === 'column' && !this.used[i + 1] && !isNumeric(pickColumn(next, () => true)!)) {
        // "product categories": the first noun only qualifies the second.
        this.markUsed(i);
        continue;
      }
      if (this.isRowNoun(l) && !wholeCodeHeader) {
        this.rowNounColumnNamed = true;
        this.markUsed(i);
        continue;
      }
      if (isTemporal(column)) {
        this.markUsed(i); // a date column named next to no date phrase: "orders by date" was grouped already
        this.groups.push({ kind: 'time', unit: 'day', column });
        continue;
      }
      this.interrogatives.push(column);
      this.markUsed(i);
    }
  }

  /**
   * The column a superlative adjective at i names: listed ones ("oldest" -> age), "most/least
   * <adjective>" ("most expensive" -> price), and "<noun>iest" whose noun names exactly one
   * numeric column ("windiest" -> Wind Speed, "rainiest" -> Precipitation), highest first.
   */
  private namedSuperlative(
    i: number,
  ): { column: ColumnDescription; direction: 'desc' | 'asc'; length: number } | undefined {
    const w = this.word(i)!;
    const listed = SUPERLATIVE_COLUMNS[w];
    if (listed) {
      const column = this.onlyNumericColumnNamed(listed[0]);
      return column ? { column, direction: listed[1], length: 1 } : undefined;
    }
    const adjective = this.word(i + 1);
    if ((w === 'most' || w === 'least') && adjective && MOST_ADJECTIVE_COLUMNS[adjective]) {
      const column = this.onlyNumericColumnNamed(MOST_ADJECTIVE_COLUMNS[adjective]!);
      return column ? { column, direction: w === 'most' ? 'desc' : 'asc', length: 2 } : undefined;
    }
    const noun = /^([a-z]{3,})iest$/.exec(w);
    if (noun && !SUPERLATIVES[w]) {
      const column = this.onlyNumericColumnNamed([noun[1]!]);
      return column ? { column, direction: 'desc', length: 1 } : undefined;
    }
    return undefined;
  }

  /**
   * "longest bill length" with two length columns: the adjective names no one column, but the
   * column after it says which, and the adjective then ranks it like "highest".
   */
  private superlativeOfNextColumn(i: number): 'desc' | 'asc' | undefined {
    const listed = SUPERLATIVE_COLUMNS[this.word(i)!];
    const column = listed && this.columnAt(i + 1, isNumeric);
    if (!listed || !column) return undefined;
    return wordsOfHeader(column).some((w) => listed[0].includes(w)) ? listed[1] : undefined;
  }

  /** The one numeric column the words name between them; none when they name two. */
  private onlyNumericColumnNamed(words: string[]): ColumnDescription | undefined {
    const columns = new Set(
      words.map((word) => this.numericColumnNamed(word)).filter((c) => c !== undefined),
    );
    return columns.size === 1 ? [...columns][0] : undefined;
  }

  /** A numeric column named by one word ("age"), if exactly one. */
  private numericColumnNamed(word: string): ColumnDescription | undefined {
    const [lexeme] = this.index.lexemes([{ kind: 'word', text: word, raw: word }]);
    if (lexeme?.kind !== 'column') return undefined;
    const numeric = lexeme.hits.filter((h) => isNumeric(h.column));
    return numeric.length === 1 ? numeric[0]!.column : undefined;
  }

  /**
   * What counting "the rows" means: the distinct identifiers of the one entity the question names
   * when it has an identifier column ("percentage of orders by segment" counts Order IDs), else rows.
   */
  private rowCount(): Measure {
    const named = new Set<ColumnDescription>();
    for (let k = 0; k < this.lex.length; k++) {
      const l = this.lex[k]!;
      let raw: string | undefined;
      if (l.kind === 'word') raw = l.text;
      else if (l.kind === 'column' && l.hits[0]!.score === 1 && this.isRowNoun(l)) raw = l.raw;
      if (raw === undefined || raw.includes(' ')) continue;
      const column = this.index.idColumnsByStem.get(stem(raw.toLowerCase()));
      if (column) named.add(column);
    }
    return named.size === 1 ? { agg: 'count-distinct', column: [...named][0]! } : { agg: 'count' };
  }

  /** Nothing but a group, filter or the end follows i: "conversion total [for each source]". */
  private endsQuestion(i: number): boolean {
    const next = this.lex[i];
    return next === undefined || this.used[i] || (next.kind === 'word' && this.isFiller(next.text));
  }

  /**
   * "how many orders" where an "Order ID" column exists: its distinct identifiers, so order lines
   * (several rows per order) are not counted as orders. The noun must follow the count directly.
   */
  private entityIdAt(i: number): { column: ColumnDescription; at: number } | undefined {
    const at = this.word(i) === 'the' ? i + 1 : i;
    const l = this.lex[at];
    if (!l || this.used[at]) return undefined;
    const raw =
      l.kind === 'word' ? l.text : l.kind === 'column' && l.hits[0]!.score === 1 ? l.raw : undefined;
    if (raw === undefined || raw.includes(' ')) return undefined;
    const column = this.index.idColumnsByStem.get(stem(raw.toLowerCase()));
    return column ? { column, at } : undefined;
  }

  /** A text column was read at i ("payment" before "type"). */
  private namesTextColumn(i: number): boolean {
    const l = this.lex[i];
    return l?.kind === 'column' && this.used[i] === true && l.hits[0]!.column.type === 'text';
  }

  /**
   * A dataset's row noun in the singular asks for one row: after "which"/"what" ("which car has
   * the highest hp"), or after the superlative and every number column ("the heaviest car",
   * "highest rated Action movie"); "youngest employee age" still asks for the age.
   */
  private namesOneRow(superlativeAt: number): boolean {
    const isOneRowNoun = (l: Lexeme) => {
      if (l.kind === 'word') return this.index.rowNounStems.has(stem(l.text)) && !isPlural(l.raw);
      return l.kind === 'column' && l.hits[0]!.score === 1 && this.isRowNoun(l) && !isPlural(l.raw);
    };
    const lastNumber = this.lex.findLastIndex(
      (l) => l.kind === 'column' && !this.isRowNoun(l) && l.hits.some((h) => isNumeric(h.column)),
    );
    // "movie with the highest gross": the noun, then what picks it.
    const picks = (k: number) => {
      const next = this.lex[k + 1];
      return k < superlativeAt && next?.kind === 'word' && ROW_PICKING_WORDS.has(next.text);
    };
    return this.lex.some(
      (l, k) =>
        isOneRowNoun(l) &&
        (['which', 'what'].includes(this.word(k - 1) ?? '') ||
          (k > superlativeAt && k > lastNumber) ||
          (picks(k) && !this.rowNounHasIdColumn())),
    );
  }

  private isRowNounWord(i: number): boolean {
    const w = this.word(i);
    return w !== undefined && (ROW_NOUNS.has(w) || this.index.rowNounStems.has(stem(w)));
  }

  private isRowNoun(l: ColumnLexeme): boolean {
    const s = stem(l.raw.split(' ').at(-1)!.toLowerCase());
    return this.index.rowNounStems.has(s) || isIdColumn(l.hits[0]!.column);
  }

  /**
   * "revenue by number of orders": a "by" no pass took groups or ranks by nothing, so the answer
   * would be ungrouped; the question asks for a grouping this engine did not find.
   */
  private refuseUnusedBy() {
    const at = this.lex.findIndex((l, k) => l.kind === 'word' && l.text === 'by' && !this.used[k]);
    if (at < 0) return;
    // "paid by third class passengers", "taken by subscribers": a passive "by" before a filter.
    const next =
      this.lex[at + 1]?.kind === 'word' && this.lex[at + 1]!.raw.toLowerCase() === 'the' ? at + 2 : at + 1;
    const wordsAfter = this.lex
      .slice(next, next + 2)
      .map((l) => ('raw' in l ? l.raw.toLowerCase() : ''))
      .join(' ');
    const namesMeasure =
      this.aggregateWordAt.has(next) || COUNT_PHRASES.some((p) => `${wordsAfter} `.startsWith(`${p} `));
    // "top 5 products by total revenue": with a ranking, "by" names what is ranked on.
    const ranked = this.ranking !== undefined || this.superlative !== undefined;
    if (!namesMeasure || ranked) return;
    const after = this.lex
      .slice(at + 1, at + 4)
      .map((l) => ('raw' in l ? l.raw : ''))
      .join(' ');
    throw new NotUnderstood(
      `I could not find what "by ${after}" groups by; name a column to group by, e.g. "by <column>".`,
    );
  }

  private rejectUnknownWords() {
    const unknown: string[] = [];
    for (let i = 0; i < this.lex.length; i++) {
      if (this.used[i]) continue;
      const l = this.lex[i]!;
      if (l.kind === 'word') {
        const s = stem(l.text);
        if (
          this.isFiller(l.text) ||
          ROW_NOUNS.has(l.text) ||
          EXTRA_ROW_NOUNS.has(l.text) ||
          this.index.rowNounStems.has(s) ||
          LIST_WORDS.has(l.text) ||
          DISTINCT_WORDS.has(l.text) ||
          // "how much did they pay": the verb names the measure (readMeasureFromQuestionWords).
          MEASURE_VERBS[l.text] !== undefined ||
          (QUALIFIER_WORDS.has(l.text) && this.namesTextColumn(i - 1))
        )
          continue;
        unknown.push(l.raw);
      } else unknown.push('raw' in l ? l.raw : '');
    }
    if (unknown.length > 0)
      throw new NotUnderstood(
        `I don't know what ${unknown.map((w) => `"${w}"`).join(', ')} refer${unknown.length === 1 ? 's' : ''} to in this dataset.`,
        { unknownWords: unknown },
      );
  }

  // ---- assembly ------------------------------------------------------------------------------

  private assemble(): QueryIntent {
    this.refuseAveragePerPeriod();
    this.readMeasureFromQuestionWords();
    const measures = dedupeMeasures(this.measures);
    const groups = [...this.groups];
    const filters = [...this.filters];
    let ranking: QueryIntent['ranking'];

    // "which region has the highest revenue": the asked-about column becomes the group.
    for (const column of this.interrogatives) {
      if (groups.some((g) => g.kind === 'column' && g.column === column)) continue;
      if (measures.length > 0 || this.superlative || this.ranking || this.countAsked)
        groups.push({ kind: 'column', column });
    }
    const listedColumns = this.interrogatives.filter(
      (c) => !groups.some((g) => g.kind === 'column' && g.column === c),
    );

    if (this.comparisons.length > 0) {
      groups.push({ kind: 'sides', sides: this.comparisons });
    }

    const superlative = this.superlative;
    const rankingWanted =
      this.ranking ??
      (superlative && groups.some((g) => g.kind === 'column')
        ? { direction: superlative.direction, limit: 1, plural: false }
        : undefined);

    if (measures.length === 0) {
      if (rankingWanted && groups.length === 0 && !this.countAsked) {
        // "top 5 orders by amount" needs a column to rank rows by.
        throw new NotUnderstood('Ranked by what? Name a numeric column, e.g. "top 5 by <column>".');
      }
      if (this.countAsked || groups.length > 0 || (superlative && groups.length > 0))
        measures.push(this.rowCount());
      else if (superlative) throw new NotUnderstood('Highest or lowest what? Name a column.');
    }

    // "top 3 products in each region" ranks within each group, which one SELECT of groups cannot.
    if (rankingWanted && this.distributiveGroup && groups.length > 1)
      throw new NotUnderstood(
        'I can rank groups over the whole dataset, not within each group; ask for one group at a time (e.g. "top 3 products in North").',
      );
    if (rankingWanted) ranking = { direction: rankingWanted.direction, limit: rankingWanted.limit ?? 10 };

    // "who is the oldest", "who earns the most", "the longest movie", "which car is the heaviest":
    // the row itself, which says who or which; its maximum alone would not.
    const only = measures.length === 1 ? measures[0]! : undefined;
    if (
      superlative &&
      !this.ranking &&
      groups.length === 0 &&
      only &&
      'column' in only &&
      only.agg !== 'count-distinct' &&
      only.implicit &&
      (this.lex.some((l) => l.kind === 'word' && l.text === 'who') || this.namesOneRow(superlative.at))
    )
      return this.checked({
        measures: [],
        groups,
        filters,
        ranking: { direction: superlative.direction, limit: 1 },
        list: { kind: 'rows', orderBy: only.column },
      });

    // "highest total gross movie": one movie's total is its gross, so the top row is the answer.
    if (
      superlative &&
      !this.ranking &&
      groups.length === 0 &&
      only?.agg === 'sum' &&
      !only.implicit &&
      this.namesOneRow(superlative.at) &&
      !this.rowNounHasIdColumn()
    )
      return this.checked({
        measures: [],
        groups,
        filters,
        ranking: { direction: superlative.direction, limit: 1 },
        list: { kind: 'rows', orderBy: only.column },
      });

    // "highest salary" without a group: the maximum itself.
    if (superlative && !this.ranking && !groups.some((g) => g.kind === 'column') && measures.length > 0) {
      ranking = undefined;
      let applied = groups.length > 0;
      for (let k = 0; k < measures.length; k++) {
        const m = measures[k]!;
        if (m.agg !== 'count' && m.agg !== 'count-distinct' && m.implicit) {
          measures[k] = { agg: superlative.direction === 'desc' ? 'max' : 'min', column: m.column };
          applied = true;
        }
      }
      // "highest total revenue", "the most orders": one total has no highest; the word would be dropped.
      if (!applied) this.refuseIneffective(superlative.at);
      if (groups.length > 0) ranking = { direction: superlative.direction, limit: 1 };
    }

    if (this.percentAsked) {
      if (groups.length > 0) {
        if (measures.length === 0) measures.push(this.rowCount());
        return this.checked({ measures, groups, filters, percent: { kind: 'of-total' }, ranking });
      }
      const numerator: Filter[] = filters.filter((f) => f.kind !== 'period' && f.kind !== 'trailing');
      if (numerator.length === 0)
        throw new NotUnderstood('Percentage of what? Say which rows, e.g. "percentage of rows where ...".');
      if (measures.length === 0) measures.push(this.rowCount());
      return this.checked({
        measures,
        groups,
        filters: filters.filter((f) => !numerator.includes(f)),
        percent: { kind: 'of-filter', numerator },
      });
    }

    if (this.recentRows && measures.length === 0 && groups.length === 0) {
      return this.checked({
        measures,
        groups,
        filters,
        ranking: this.recentRows,
        list: { kind: 'rows', orderBy: this.defaultDateColumn() },
      });
    }
    if (this.recentRows)
      throw new NotUnderstood('"Latest N" lists rows; ask for the rows, or drop "latest".');

    if (measures.length === 0) {
      if (listedColumns.length > 0)
        return this.checked({
          measures,
          groups,
          filters,
          list: { kind: 'distinct', columns: listedColumns },
        });
      if (filters.length > 0 || this.listAsked)
        return this.checked({ measures, groups, filters, list: { kind: 'rows' } });
      throw new NotUnderstood('I could not find what to compute in this question.');
    }

    // "top 5 orders by amount": rows ranked by a column, no grouping.
    if (this.ranking && groups.length === 0 && measures.length === 1) {
      const m = measures[0]!;
      if (m.agg !== 'count' && m.agg !== 'count-distinct' && m.implicit)
        return this.checked({
          measures: [],
          groups,
          filters,
          ranking,
          list: { kind: 'rows', orderBy: m.column },
        });
    }
    // "top 5 total revenue": one row of totals has nothing to rank.
    if (ranking && groups.length === 0) this.refuseIneffective(this.rankingWordAt());
    return this.checked({ measures, groups, filters, ranking });
  }

  /**
   * A superlative or ranking word that would leave the SQL unchanged: every meaningful word must be
   * used, and an answer without it ("highest total gross" as the plain total) is a wrong answer.
   */
  private refuseIneffective(at: number): never {
    const raw = this.lex[at] && 'raw' in this.lex[at] ? this.lex[at].raw : 'highest';
    throw new NotUnderstood(
      `"${raw}" has nothing to rank here: one total has no highest or lowest. Ask e.g. "which <column> has the highest <column>", or drop "${raw}".`,
    );
  }

  /** Where the ranking word is ("top", "bottom", "highest"...), for the refusal's wording. */
  private rankingWordAt(): number {
    const at = this.lex.findIndex(
      (l) =>
        l.kind === 'word' && (l.text === 'top' || l.text === 'bottom' || SUPERLATIVES[l.text] !== undefined),
    );
    return Math.max(at, 0);
  }

  /** A row noun of the question names an entity with an ID column: its rows may be its lines. */
  private rowNounHasIdColumn(): boolean {
    return this.lex.some((l) => {
      const words = l.kind === 'word' ? [l.text] : l.kind === 'column' ? [l.raw.split(' ').at(-1)!] : [];
      return words.some((w) => this.index.idColumnsByStem.has(stem(w.toLowerCase())));
    });
  }

  /** The question names its rows: "orders", "records", a row noun of the dataset's title. */
  private namesRowNoun(): boolean {
    return (
      this.rowNounColumnNamed ||
      this.lex.some(
        (l) => l.kind === 'word' && (ROW_NOUNS.has(l.text) || this.index.rowNounStems.has(stem(l.text))),
      )
    );
  }

  /**
   * A question that asks for an amount or a ranking but names no column to measure must not fall
   * back to listing or counting rows: "how much did we sell in the West" is a total, "which region
   * sold the most" a ranking of totals. The verb names the column when it names exactly one
   * ("sell" ~ Sales); otherwise the question is refused.
   */
  private readMeasureFromQuestionWords() {
    const words = this.lex.filter((l) => l.kind === 'word').map((l) => (l as { text: string }).text);
    const verbs = [...new Set(words.map((w) => MEASURE_VERBS[w]).filter((v) => v !== undefined))];
    const verbWord = words.find((w) => MEASURE_VERBS[w] !== undefined);
    const amountAsked = this.asksAmount() || (this.inTotal && !this.countAsked);
    const ranked = this.ranking !== undefined || this.superlative !== undefined;
    if (this.countAsked) {
      // "how many did we sell in Texas": the quantity sold, not the number of rows.
      const onlyRows = this.measures.length === 1 && this.measures[0]!.agg === 'count';
      const countWords = verbs.flatMap((v) => v.count);
      if (!onlyRows || countWords.length === 0) return;
      const columns = this.numericColumnsNamed(countWords);
      if (columns.length === 1)
        this.measures.splice(0, 1, { agg: 'sum', column: columns[0]!, implicit: true });
      else if (columns.length > 1) throw this.whichMeasure(`how many ... ${verbWord}`, columns);
      return;
    }
    if (this.measures.length > 0) return;
    const groupsOrRanking = ranked || this.groups.length > 0 || this.comparisons.length > 0;
    const verbMeans = verbs.length > 0 && (amountAsked || (groupsOrRanking && !this.namesRowNoun()));
    if (verbMeans) {
      const candidates = verbs.flatMap((v) => (amountAsked ? v.amount : [...v.amount, ...v.count]));
      const columns = this.numericColumnsNamed(candidates);
      if (columns.length === 1) {
        this.measures.push({ agg: defaultAggregate(columns[0]!), column: columns[0]!, implicit: true });
        return;
      }
      throw this.whichMeasure(verbWord!, columns);
    }
    if (amountAsked)
      throw new NotUnderstood('How much of what? Name the column to add up, e.g. "how much <column> ...".');
    const measureSuperlative = words.find((w) => MEASURE_SUPERLATIVES.has(w));
    if (ranked && measureSuperlative && !this.namesRowNoun())
      throw new NotUnderstood(
        `"${measureSuperlative}" by what? Name the column to rank by, e.g. "${measureSuperlative} <column>".`,
      );
  }

  /** An amount (`asksAmount`), "in total" or "combined": one number over everything the filters keep. */
  private asksOneAmount(): boolean {
    return (
      this.asksAmount() ||
      this.lex.some(
        (l, k) =>
          l.kind === 'word' && (l.text === 'combined' || (l.text === 'in' && this.word(k + 1) === 'total')),
      )
    );
  }

  /** "how much", "the value of", "worth": one amount is asked for. */
  private asksAmount(): boolean {
    return this.lex.some(
      (l, k) =>
        l.kind === 'word' &&
        ((l.text === 'how' && this.lex[k + 1]?.kind === 'word' && this.word(k + 1) === 'much') ||
          l.text === 'worth' ||
          (l.text === 'value' && this.lex[k + 1]?.kind === 'word' && this.word(k + 1) === 'of')),
    );
  }

  /** The numeric columns the words name, each word its best match ("quantity" is Quantity, not Unit Price). */
  private numericColumnsNamed(words: string[]): ColumnDescription[] {
    const columns = new Set<ColumnDescription>();
    for (const word of words) {
      const [lexeme] = this.index.lexemes([{ kind: 'word', text: word, raw: word }]);
      if (lexeme?.kind !== 'column') continue;
      const numeric = lexeme.hits.filter((h) => isNumeric(h.column) && !isIdColumn(h.column));
      const best = numeric.filter((h) => h.score === numeric[0]?.score);
      for (const hit of best) columns.add(hit.column);
    }
    return [...columns];
  }

  private whichMeasure(phrase: string, columns: ColumnDescription[]): NotUnderstood {
    if (columns.length === 0) return new NotUnderstood(`"${phrase}" of what? Name the column to measure.`);
    return new NotUnderstood(
      `"${phrase}" could mean ${columns.map((c) => c.originalName).join(' or ')}; name the column.`,
      { ambiguous: columns },
    );
  }

  /**
   * "average sessions per day" of an amount reads two ways: the mean of each day's total (one
   * number) or each day's mean over its rows (a series), and which one is meant depends on how
   * many rows a day has. Levels ("average temperature per month") are a series either way.
   */
  private refuseAveragePerPeriod() {
    if (!this.perTimeUnit) return;
    const unit = this.perTimeUnit;
    const amount = this.measures.find(
      (m) => m.agg === 'avg' && !m.implicit && defaultAggregate(m.column) === 'sum',
    );
    if (amount && 'column' in amount)
      throw new NotUnderstood(
        `"Average ${amount.column.originalName} per ${unit}" can mean the mean of each ${unit}'s total or each ${unit}'s mean; ask for "total ${amount.column.originalName} by ${unit}" or "average ${amount.column.originalName} by ${unit}".`,
      );
  }

  private checked(intent: QueryIntent): QueryIntent {
    // "who earns the most", "which sold the most": one number would not say who or which.
    const asker = this.lex.find((l) => l.kind === 'word' && (l.text === 'who' || l.text === 'which'));
    if (asker && intent.measures.length > 0 && intent.groups.length === 0 && !intent.percent)
      throw new NotUnderstood(
        `"${(asker as { raw: string }).raw}" asks for names, but no column here says whose; ask e.g. "which <column> has the highest <column>".`,
      );
    if (intent.percent?.kind === 'of-filter' || intent.percent?.kind === 'of-total') {
      const m = intent.measures[0];
      if (m && !hasShares(m))
        throw new NotUnderstood(
          `A percentage of an ${describeAggregate(m.agg)} does not add up; ask for a count or a total.`,
        );
      if (m && m.agg === 'avg') intent.measures[0] = { agg: 'sum', column: m.column };
    }
    if (intent.ranking && intent.ranking.limit > 1000)
      throw new NotUnderstood('Ask for at most the top 1000.');
    return this.sorted(intent);
  }

  /** Groups of amounts sort highest first unless the question says otherwise; nothing else sorts. */
  private sorted(intent: QueryIntent): QueryIntent {
    if (!this.sortOrder) return intent;
    const byValue =
      !intent.list &&
      intent.percent?.kind !== 'of-filter' &&
      intent.groups.some((g) => g.kind === 'column') &&
      intent.measures.length === 1;
    if (!byValue || (intent.ranking && intent.ranking.direction !== this.sortOrder))
      throw new NotUnderstood(
        'I can sort groups by their one value ("average price by airline, lowest first"); here the order is unclear.',
      );
    return this.sortOrder === 'asc' && !intent.ranking ? { ...intent, sort: 'asc' } : intent;
  }
}

// Header words of the two ends of a journey or transfer ("Origin"/"Destination", "pickup_zone"/"dropoff_zone").
const ORIGIN_WORDS = new Set(
  'origin from source src pickup departure departing start starting sender orig'.split(' '),
);
const DESTINATION_WORDS = new Set(
  'destination dest to dropoff arrival arriving end ending target receiver recipient'.split(' '),
);

// Verbs before "at"/"in" that say which end of a journey a place is.
const JOURNEY_VERBS: [string, Set<string>][] = [
  ['picked up', ORIGIN_WORDS],
  ['dropped off', DESTINATION_WORDS],
];

// Header words of a date that follows the row's own event (shipped after ordered, dropped off
// after picked up): when all date columns but one are such, the remaining one is the row's date.
const LATER_DATE_WORDS = new Set(
  (
    'ship shipped shipping dropoff drop stop stopped delivery delivered arrival arrived arrive end ended close closed ' +
    'completed completion resolved return returned due updated modified finish finished expiry expires'
  ).split(' '),
);

// The last word of an identifier header, as spoken: "country codes", "flight numbers", "order IDs".
const ID_WORDS_SPOKEN = new Set(['id', 'code', 'number', 'key', 'ref'].map(stem));

// Stored spellings of yes and no in text columns (Kaggle's CentralAir is Y/N).
const YES_NO_PAIRS: [string, string][] = [
  ['y', 'n'],
  ['yes', 'no'],
  ['true', 'false'],
  ['t', 'f'],
];

/** The stored yes and no of a text column holding exactly one yes/no pair, else undefined. */
function yesNoValues(column: ColumnDescription): { yes: string; no: string } | undefined {
  if (column.type !== 'text' || !column.distinctValues || column.distinctValues.length !== 2)
    return undefined;
  for (const [yes, no] of YES_NO_PAIRS) {
    const stored = (word: string) => column.distinctValues!.find((v) => v.toLowerCase() === word);
    const [y, n] = [stored(yes), stored(no)];
    if (y !== undefined && n !== undefined) return { yes: y, no: n };
  }
  return undefined;
}

/** Whole numbers from 1 to at most 10: levels, classes, tiers, not amounts. */
function isLevelCode(column: ColumnDescription): boolean {
  return (
    (column.type === 'integer' || column.type === 'bigint') &&
    !isIdColumn(column) &&
    column.min === 1 &&
    typeof column.max === 'number' &&
    column.max <= 10
  );
}

function wordsOfHeader(column: ColumnDescription): string[] {
  return [...new Set([...headerWords(column.name), ...headerWords(column.originalName)])];
}

function isLaterDate(column: ColumnDescription): boolean {
  return [column.name, column.originalName].some((source) =>
    headerWords(source).some((w) => LATER_DATE_WORDS.has(w)),
  );
}

const PERCENT_UNITS = new Set(['percent', 'pct']);

/**
 * What "30%" compared with a column means in its units: a column whose values lie in 0..1 holds
 * fractions (0.30), any other holds percents or amounts (30). Without the column's range either
 * reading could be wrong, so the question is refused.
 */
function percentDivisor(column: ColumnDescription, raw: string): number {
  const [min, max] = [Number(column.min), Number(column.max)];
  if (column.min === undefined || column.max === undefined || !Number.isFinite(min) || !Number.isFinite(max))
    throw new NotUnderstood(
      `I do not know whether ${column.originalName} holds fractions (0.3) or percents (30), so I cannot compare it with ${raw}; write the number as it is stored.`,
    );
  return min >= -1 && max <= 1 ? 100 : 1;
}

/** The best column of a lexeme satisfying `accept`; refuses when two are equally good. */
export function pickColumn(
  l: ColumnLexeme,
  accept: (c: ColumnDescription) => boolean,
): ColumnDescription | undefined {
  const hits: ColumnHit[] = l.hits.filter((h) => accept(h.column));
  if (hits.length === 0) return undefined;
  const best = hits[0]!.score;
  const tied = hits.filter((h) => h.score === best);
  if (tied.length > 1)
    throw new NotUnderstood(
      `"${l.raw}" could mean ${tied.map((h) => h.column.originalName).join(' or ')}; use the exact column name.`,
      { ambiguous: tied.map((h) => h.column) },
    );
  return hits[0]!.column;
}

/**
 * Whether a measure can be shown as shares of its total: counts and sums, an average that only
 * defaulted from the column (summed instead), and distinct identifiers ("orders" by Order ID),
 * whose total is counted once, not added up over the groups.
 */
export function hasShares(m: Measure): boolean {
  if (m.agg === 'count' || m.agg === 'sum') return true;
  if (m.agg === 'count-distinct') return isIdColumn(m.column) && !m.unit;
  return m.agg === 'avg' && m.implicit === true;
}

/** Amounts add up across rows; levels and rates (price, temperature, age) are averaged. */
export function defaultAggregate(column: ColumnDescription): Aggregate {
  const words = [
    ...`${column.name} ${column.originalName}`.toLowerCase().split(/[^a-z]+/),
    ...spelledOut(headerWords(column.name)),
    ...spelledOut(headerWords(column.originalName)),
  ];
  return words.some((w) => LEVEL_WORDS.has(w)) ? 'avg' : 'sum';
}

function dedupeMeasures(measures: Measure[]): Measure[] {
  const seen = new Set<string>();
  return measures.filter((m) => {
    const key = `${m.agg}:${'column' in m ? m.column.name : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function describeAggregate(agg: Aggregate | 'count' | 'count-distinct'): string {
  return {
    sum: 'total',
    avg: 'average',
    min: 'minimum',
    max: 'maximum',
    median: 'median',
    count: 'count',
    'count-distinct': 'distinct count',
  }[agg];
}

/** "customers" yes, "status" no: a final s that the stemmer removes. */
const COUNTED_LEVEL_LEADS = new Set(['with', 'have', 'has', 'having', 'had', 'and']);
const MAX_COUNTED_LEVEL = 20;

/** A whole-number column of small counts from 0 (cylinders, gears, bedrooms). */
function isSmallCount(c: ColumnDescription): boolean {
  return isWholeNumber(c) && Number(c.min) >= 0 && Number(c.max) <= MAX_COUNTED_LEVEL;
}

function isWholeNumber(c: ColumnDescription): boolean {
  return c.type === 'integer' || c.type === 'bigint';
}

function isPlural(raw: string): boolean {
  const last = raw.split(' ').at(-1)!.toLowerCase();
  return last.endsWith('s') && stem(last) !== last;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
