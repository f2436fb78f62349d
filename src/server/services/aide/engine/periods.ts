/**
 * Calendar periods named in questions ("2024", "March 2024", "Q1 2024", "summer 2024", "H2 2023",
 * "2024-03-05", "March")
 * as half-open day ranges, so every date filter is `start <= d < end` whatever the column type.
 */
import type { Token } from './lexer.js';
import { MONTHS, monthNumber } from './vocabulary.js';

export type Period =
  | { kind: 'range'; start: string; end: string; label: string }
  /** A month in any year ("in March"): compared on the month number. */
  | { kind: 'month-of-year'; month: number; label: string };

function iso(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

export function yearPeriod(year: number): Period {
  return { kind: 'range', start: iso(year, 1, 1), end: iso(year + 1, 1, 1), label: String(year) };
}

function monthPeriod(year: number, month: number): Period {
  const name = MONTHS[month - 1]!;
  return {
    kind: 'range',
    start: iso(year, month, 1),
    end: iso(year, month + 1, 1),
    label: `${name[0]!.toUpperCase()}${name.slice(1)} ${year}`,
  };
}

export function dayPeriod(isoDay: string): Period {
  const [y, m, d] = isoDay.split('-').map(Number) as [number, number, number];
  return { kind: 'range', start: isoDay, end: iso(y, m, d + 1), label: isoDay };
}

/** A four-digit number that can be read as a year. */
export function isYear(token: { kind: string } | undefined): token is Extract<Token, { kind: 'number' }> {
  if (token?.kind !== 'number') return false;
  const n = token as Extract<Token, { kind: 'number' }>;
  return n.plainInteger && n.value >= 1900 && n.value <= 2100;
}

function dayOfMonth(token: Token | undefined): number | undefined {
  if (token?.kind === 'number' && token.plainInteger && token.value >= 1 && token.value <= 31)
    return token.value;
  if (token?.kind === 'word') {
    const m = /^(\d{1,2})(st|nd|rd|th)$/.exec(token.text);
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= 31) return Number(m[1]);
  }
  return undefined;
}

// Seasons as the meteorological seasons of the northern hemisphere. Winter is left out: it spans
// two years, and which one "winter 2024" means is not settled.
const SEASONS: Record<string, number> = { spring: 3, summer: 6, autumn: 9, fall: 9 };

/** A season or a half year: months that only make a period with a year after them. */
function spanAt(token: Token | undefined): { firstMonth: number; months: number; label: string } | undefined {
  if (token?.kind !== 'word') return undefined;
  const season = SEASONS[token.text];
  if (season) return { firstMonth: season, months: 3, label: token.text };
  const half = /^h([12])$/.exec(token.text);
  return half ? { firstMonth: half[1] === '1' ? 1 : 7, months: 6, label: `H${half[1]}` } : undefined;
}

function wordAt(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text === word;
}

function monthAt(token: Token | undefined, next: Token | undefined): number | undefined {
  if (token?.kind !== 'word') return undefined;
  // "may" is a verb as often as a month: only a month when a year or day follows.
  if (token.text === 'may' && !isYear(next) && dayOfMonth(next) === undefined) return undefined;
  return monthNumber(token.text);
}

/**
 * Reads a period starting at `tokens[i]`. `allowBareYear` is false where a lone number is more
 * likely a quantity. Returns the period and how many tokens it spans.
 */
export function readPeriod(
  tokens: readonly (Token | { kind: string })[],
  i: number,
  allowBareYear = true,
): { period: Period; length: number } | undefined {
  const at = (k: number) => tokens[k] as Token | undefined;
  const t = at(i);
  if (t?.kind === 'day') return { period: dayPeriod(t.iso), length: 1 };
  // "the year 2024", "year 2024"
  if (t?.kind === 'word' && t.text === 'year' && isYear(at(i + 1)))
    return { period: yearPeriod((at(i + 1) as { value: number }).value), length: 2 };
  // "the 1990s": the ten years from 1990
  const decade = t?.kind === 'word' ? /^(1[89]\d0|20\d0)s$/.exec(t.text) : null;
  if (decade) {
    const year = Number(decade[1]);
    return {
      period: { kind: 'range', start: iso(year, 1, 1), end: iso(year + 10, 1, 1), label: `${year}s` },
      length: 1,
    };
  }
  const quarter = t?.kind === 'word' ? /^q([1-4])$/.exec(t.text) : null;
  if (quarter && isYear(at(i + 1))) {
    const year = (at(i + 1) as { value: number }).value;
    const q = Number(quarter[1]);
    return {
      period: {
        kind: 'range',
        start: iso(year, q * 3 - 2, 1),
        end: iso(year, q * 3 + 1, 1),
        label: `Q${q} ${year}`,
      },
      length: 2,
    };
  }
  const span = spanAt(t);
  if (span) {
    // "summer 2024", "summer of 2024", "H1 2024"
    const yearAt = isYear(at(i + 1)) ? i + 1 : wordAt(at(i + 1), 'of') && isYear(at(i + 2)) ? i + 2 : -1;
    if (yearAt < 0) return undefined;
    const year = (at(yearAt) as { value: number }).value;
    return {
      period: {
        kind: 'range',
        start: iso(year, span.firstMonth, 1),
        end: iso(year, span.firstMonth + span.months, 1),
        label: `${span.label} ${year}`,
      },
      length: yearAt - i + 1,
    };
  }
  const month = monthAt(t, at(i + 1));
  if (month) {
    // "March 5, 2024" / "March 5th 2024" / "March 2024" / "March of 2024" / "March"
    const day = dayOfMonth(at(i + 1));
    if (day && isYear(at(i + 2))) {
      return { period: dayPeriod(iso((at(i + 2) as { value: number }).value, month, day)), length: 3 };
    }
    if (isYear(at(i + 1)))
      return { period: monthPeriod((at(i + 1) as { value: number }).value, month), length: 2 };
    if (at(i + 1)?.kind === 'word' && (at(i + 1) as { text: string }).text === 'of' && isYear(at(i + 2)))
      return { period: monthPeriod((at(i + 2) as { value: number }).value, month), length: 3 };
    const name = MONTHS[month - 1]!;
    return {
      period: { kind: 'month-of-year', month, label: `${name[0]!.toUpperCase()}${name.slice(1)}` },
      length: 1,
    };
  }
  // "5 March 2024"
  const day = dayOfMonth(t);
  const dayMonth = day ? monthAt(at(i + 1), at(i + 2)) : undefined;
  if (day && dayMonth && isYear(at(i + 2)))
    return { period: dayPeriod(iso((at(i + 2) as { value: number }).value, dayMonth, day)), length: 3 };
  if (allowBareYear && isYear(t)) return { period: yearPeriod(t.value), length: 1 };
  return undefined;
}
