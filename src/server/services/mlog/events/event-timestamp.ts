/**
 * The event timestamp: ISO 8601 date-time with a required offset,
 * `YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|+HHMM)` (`T` and `Z` in either case).
 *
 * Parsed by hand rather than with `new Date(text)`: this runs once per event of a 100,000-line
 * batch, and V8's parser both costs more and rolls impossible dates over (2026-02-30 becomes
 * March 2nd) where an audit log must refuse them.
 */

/** Why a timestamp was refused: not the ISO shape at all, or the shape of a date that does not exist. */
export type TimestampProblem = 'format' | 'date';

const ZERO = 0x30;
const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The number written by `count` ASCII digits at `start`, or -1 if any is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const charIs = (text: string, at: number, char: string) => text[at] === char;
const charIsEither = (text: string, at: number, upper: string) =>
  text[at] === upper || text[at] === upper.toLowerCase();

/**
 * Milliseconds since the epoch of an ISO 8601 timestamp with an offset, or why it is refused.
 * Fractions beyond milliseconds are truncated (as `Date` does). `24:00[:00]` is the end of the
 * day (ISO 8601); a leap second (`:60`) is refused, as neither `Date` nor the stored instant can
 * represent it.
 */
export function parseTimestamp(text: string): number | TimestampProblem {
  const length = text.length;
  // The shortest form is YYYY-MM-DDTHH:MMZ (17); the longest has 9 fraction digits and +HH:MM.
  if (length < 17 || length > 35) return 'format';
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    !charIs(text, 4, '-') ||
    !charIs(text, 7, '-') ||
    !charIsEither(text, 10, 'T') ||
    !charIs(text, 13, ':')
  )
    return 'format';

  let at = 16;
  let second = 0;
  let millisecond = 0;
  let fractionIsZero = true;
  if (charIs(text, at, ':')) {
    second = digitsAt(text, at + 1, 2);
    if (second < 0) return 'format';
    at += 3;
    if (charIs(text, at, '.')) {
      const fractionStart = ++at;
      while (at < length && at - fractionStart < 10) {
        const d = text.charCodeAt(at) - ZERO;
        if (d < 0 || d > 9) break;
        if (at - fractionStart < 3) millisecond += d * 10 ** (2 - (at - fractionStart));
        if (d !== 0) fractionIsZero = false;
        at++;
      }
      const fractionDigits = at - fractionStart;
      if (fractionDigits < 1 || fractionDigits > 9) return 'format';
    }
  }

  let offsetMinutes: number;
  if (charIsEither(text, at, 'Z')) {
    if (at + 1 !== length) return 'format';
    offsetMinutes = 0;
  } else {
    const sign = charIs(text, at, '+') ? 1 : charIs(text, at, '-') ? -1 : 0;
    const offsetHour = digitsAt(text, at + 1, 2);
    const colon = charIs(text, at + 3, ':') ? 1 : 0;
    const offsetMinute = digitsAt(text, at + 3 + colon, 2);
    if (sign === 0 || offsetHour < 0 || offsetMinute < 0 || at + 5 + colon !== length) return 'format';
    if (offsetHour > 23 || offsetMinute > 59) return 'date';
    offsetMinutes = sign * (offsetHour * 60 + offsetMinute);
  }

  if (month < 1 || month > 12 || day < 1) return 'date';
  if (day > (month === 2 && isLeapYear(year) ? 29 : (daysInMonth[month - 1] as number))) return 'date';
  const endOfDay = hour === 24 && minute === 0 && second === 0 && fractionIsZero;
  if ((hour > 23 && !endOfDay) || minute > 59 || second > 59) return 'date';

  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // Date.UTC reads years 0-99 as 1900-1999.
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  return ms - offsetMinutes * 60_000;
}

/**
 * The timestamp as `Date.toISOString` writes it: the text itself when it already is that
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, what most senders produce), so most events skip the formatting.
 */
export function canonicalTimestamp(text: string, ms: number): string {
  const canonical =
    text.length === 24 &&
    text[10] === 'T' &&
    text[19] === '.' &&
    text[23] === 'Z' &&
    // 24:00 is the next day's 00:00.
    !(text[11] === '2' && text[12] === '4');
  return canonical ? text : new Date(ms).toISOString();
}
