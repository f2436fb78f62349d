/**
 * A whole-number `year` column (Gapminder, World Bank indicators, penguins) is the time of a
 * dataset that has no date column: "in 2007", "since 1990", "between 2000 and 2010", "by year"
 * and trends read it. Only whole years can be asked of it; a month, a day or a weekday cannot,
 * and is refused rather than answered about something else. Other year-like columns
 * ("birth year", "YearBuilt") are attributes of the row, not its time: only asked by name
 * ("born before 1960") are they compared with years.
 */
import type { ColumnDescription } from './engine.types.js';
import { headerWords, spelledOut } from './header-words.js';
import type { Period } from './periods.js';
import type { Filter, GroupTarget, Measure, QueryIntent } from './query-intent.js';

const MIN_YEAR = 1000;
const MAX_YEAR = 2999;

/** An integer column whose values are all years ("year", "birth year", "YearBuilt"). */
export function holdsYears(column: ColumnDescription): boolean {
  if (column.type !== 'integer' && column.type !== 'bigint') return false;
  const min = Number(column.min);
  const max = Number(column.max);
  return Number.isInteger(min) && Number.isInteger(max) && min >= MIN_YEAR && max <= MAX_YEAR;
}

// Events that date the row itself: a film's or a book's release year is its time, unlike
// "YearBuilt" or "birth year", which describe a thing the row is about.
const ROW_EVENT_WORDS = new Set(['release', 'released', 'publication', 'published']);

/**
 * An integer column headed "year" (or "yr"), or "release year" / "year published", whose values
 * are years: the rows' time.
 */
export function isYearColumn(column: ColumnDescription): boolean {
  if (!holdsYears(column)) return false;
  return [column.name, column.originalName].some((source) => {
    const words = spelledOut(headerWords(source));
    if (words.length === 1) return words[0] === 'year';
    return words.length === 2 && words.includes('year') && words.some((w) => ROW_EVENT_WORDS.has(w));
  });
}

/** The dataset's time when it has no date column: its one year column, if it has exactly one. */
export function yearTimeColumn(columns: readonly ColumnDescription[]): ColumnDescription | undefined {
  const years = columns.filter(isYearColumn);
  return years.length === 1 ? years[0] : undefined;
}

/** The year a day starting a year stands for ("2007-01-01" -> 2007); undefined for any other day. */
export function wholeYear(isoDay: string): number | undefined {
  const match = /^(\d{4})-01-01$/.exec(isoDay);
  return match ? Number(match[1]) : undefined;
}

function periodProblem(period: Period): boolean {
  return (
    period.kind !== 'range' || wholeYear(period.start) === undefined || wholeYear(period.end) === undefined
  );
}

function filterProblem(f: Filter): boolean {
  if (!holdsYears(f.column)) return false;
  if (f.kind === 'period') return periodProblem(f.period);
  if (f.kind === 'trailing') return f.unit !== 'year';
  return false;
}

function groupProblem(g: GroupTarget): boolean {
  if (g.kind === 'time') return isYearColumn(g.column) && g.unit !== 'year';
  if (g.kind === 'sides') return g.sides.some((s) => filterProblem(s.filter));
  return false;
}

function measureProblem(m: Measure): boolean {
  return m.agg === 'count-distinct' && m.unit !== undefined && m.unit !== 'year' && isYearColumn(m.column);
}

/**
 * The intent with a year column grouped as time (in time order, drawn as a line), or a reason to
 * refuse when it asks for a part of a year the column does not hold.
 */
export function readYearColumn(intent: QueryIntent): { intent: QueryIntent } | { reason: string } {
  // A total of years means nothing: a year column read as an amount is a misreading.
  const summedYears = intent.measures.find((m) => m.agg === 'sum' && holdsYears(m.column));
  if (summedYears && summedYears.agg === 'sum')
    return {
      reason: `${summedYears.column.originalName} holds years, which are not added up; ask e.g. "how many ... in 2010" or "by ${summedYears.column.originalName}".`,
    };
  const wrong =
    intent.filters.some(filterProblem) ||
    intent.groups.some(groupProblem) ||
    intent.measures.some(measureProblem) ||
    (intent.percent?.kind === 'of-filter' && intent.percent.numerator.some(filterProblem));
  if (wrong)
    return {
      reason:
        'This dataset records whole years only (its Year column), so I cannot answer by month, week or day; ask by year, e.g. "in 2007" or "by year".',
    };
  const groups = intent.groups.map(
    (g): GroupTarget =>
      g.kind === 'column' && isYearColumn(g.column) ? { kind: 'time', unit: 'year', column: g.column } : g,
  );
  return { intent: { ...intent, groups } };
}
