import type { ColumnEvidence, ColumnType } from '../../../../../contracts/axi/columns.js';
import {
  BOOL,
  DATE_AMBIGUOUS,
  DATE_DMY,
  DATE_ISO,
  DATE_MDY,
  DATE_SLASH,
  DOUBLE,
  INT32,
  INT64,
  latin1,
  TIMESTAMP,
} from './value-classifier.js';

export type DateOrder = 'dmy' | 'mdy';

const MAX_EXAMPLES = 5;
const ALL_BITS = INT32 | INT64 | DOUBLE | BOOL | DATE_ISO | TIMESTAMP | DATE_DMY | DATE_MDY;

/** The narrow types in the order inference prefers them; text takes the rest. */
const candidates: { type: Exclude<ColumnType, 'text'>; bit: number }[] = [
  { type: 'integer', bit: INT32 },
  { type: 'bigint', bit: INT64 },
  { type: 'double', bit: DOUBLE },
  { type: 'boolean', bit: BOOL },
  { type: 'date', bit: DATE_DMY | DATE_MDY },
  { type: 'timestamp', bit: TIMESTAMP },
];

/** Running evidence for one column over every value of the file. */
export class ColumnStats {
  nonEmpty = 0;
  empty = 0;
  /** Values fitting each narrow type. */
  private integers = 0;
  private bigints = 0;
  private doubles = 0;
  private booleans = 0;
  private dates = 0;
  private timestamps = 0;
  /** Bits every value so far has. */
  all = ALL_BITS;
  /** Bits some value has. */
  any = 0;
  /** Bits every value that is a date of some form has: the day/month order they agree on. */
  datesAll = DATE_DMY | DATE_MDY;
  /** First value that broke each narrow type. */
  readonly blockers: { type: ColumnType; value: string; line: number }[] = [];
  readonly ambiguousExamples: string[] = [];

  /**
   * Counts one non-empty value. Example values are kept as Latin-1 strings of the raw bytes (the
   * file's encoding is only known at the end); `rawText` of `decide()` turns them into text.
   */
  add(mask: number, line: number, buf: Uint8Array, start: number, end: number, escapes: boolean): void {
    this.nonEmpty++;
    if (mask !== 0) {
      if (mask & INT32) this.integers++;
      if (mask & INT64) this.bigints++;
      if (mask & DOUBLE) this.doubles++;
      if (mask & BOOL) this.booleans++;
      if (mask & (DATE_DMY | DATE_MDY)) this.dates++;
      if (mask & TIMESTAMP) this.timestamps++;
      if (mask & DATE_AMBIGUOUS && this.ambiguousExamples.length < MAX_EXAMPLES) {
        const text = rawValue(buf, start, end, escapes);
        if (!this.ambiguousExamples.includes(text)) this.ambiguousExamples.push(text);
      }
      this.any |= mask;
      if (mask & (DATE_DMY | DATE_MDY)) this.datesAll &= mask;
    }
    const all = this.all & mask;
    if (all !== this.all) this.lost(this.all & ~mask, line, rawValue(buf, start, end, escapes));
    this.all = all;
  }

  private lost(bits: number, line: number, value: string): void {
    for (const candidate of candidates) {
      // A date column is lost when neither reading survives; one reading lost is no blocker yet.
      const gone =
        candidate.type === 'date'
          ? (this.all & candidate.bit) !== 0 && (bits & candidate.bit) === (this.all & candidate.bit)
          : (bits & candidate.bit) !== 0;
      if (gone && !this.blockers.some((b) => b.type === candidate.type)) {
        this.blockers.push({ type: candidate.type, value, line });
      }
    }
  }

  /** The narrowest type every value fits, and for dates the order to read D/M/Y values in. */
  decide(rawText: (latin1: string) => string): {
    type: ColumnType;
    dateOrder?: DateOrder;
    evidence: ColumnEvidence;
  } {
    const shares = this.shares();
    const ambiguousExamples = this.ambiguousExamples.map(rawText);
    const base = { nonEmpty: this.nonEmpty, empty: this.empty, shares, ambiguousExamples };
    const blockers = this.blockers.map((b) => ({ ...b, value: rawText(b.value) }));
    if (this.nonEmpty === 0) {
      return {
        type: 'text',
        evidence: { ...base, blockers, reason: 'The column has no values; text is the safe type.' },
      };
    }
    const all = this.all;
    const every = `all ${this.nonEmpty.toLocaleString('en')} values`;
    if (all & INT32)
      return this.result(
        'integer',
        base,
        blockers,
        `${capitalise(every)} are whole numbers within the integer range.`,
      );
    if (all & INT64)
      return this.result(
        'bigint',
        base,
        blockers,
        `${capitalise(every)} are whole numbers, some beyond the integer range.`,
      );
    if (all & DOUBLE)
      return this.result(
        'double',
        base,
        blockers,
        `${capitalise(every)} are numbers, some with decimals or exponents.`,
      );
    if (all & BOOL)
      return this.result(
        'boolean',
        base,
        blockers,
        `${capitalise(every)} are yes/no words (true/false, yes/no, t/f, y/n).`,
      );
    const dmy = (all & DATE_DMY) !== 0;
    const mdy = (all & DATE_MDY) !== 0;
    const slash = (this.any & DATE_SLASH) !== 0;
    if (dmy || mdy) {
      if (dmy && mdy && this.any & DATE_AMBIGUOUS) {
        return {
          type: 'text',
          evidence: {
            ...base,
            blockers,
            reason:
              `${capitalise(every)} are dates, but none tells whether they are day-first or month-first ` +
              `(e.g. ${ambiguousExamples[0]}); stored as text. Override the type as date-dmy or date-mdy to store them as dates.`,
          },
        };
      }
      const order: DateOrder = dmy ? 'dmy' : 'mdy';
      const how = !slash
        ? 'ISO dates (YYYY-MM-DD)'
        : dmy && mdy
          ? 'dates'
          : order === 'dmy'
            ? 'dates written day first (some have a day above 12)'
            : 'dates written month first (some have a day above 12)';
      const decided = this.result('date', base, blockers, `${capitalise(every)} are ${how}.`);
      return slash ? { ...decided, dateOrder: order } : decided;
    }
    if (all & TIMESTAMP) {
      return this.result(
        'timestamp',
        base,
        blockers,
        `${capitalise(every)} are ISO 8601 date-times (without an offset they are read as UTC).`,
      );
    }
    // Not a date column, but if its dates agree on one order, a date override can use it.
    const hint = this.any & DATE_SLASH ? orderOf(this.datesAll) : undefined;
    const evidence = { ...base, blockers, reason: textReason(base.shares, blockers) };
    return hint ? { type: 'text', dateOrder: hint, evidence } : { type: 'text', evidence };
  }

  private result(
    type: ColumnType,
    base: Omit<ColumnEvidence, 'blockers' | 'reason'>,
    allBlockers: ColumnEvidence['blockers'],
    reason: string,
  ): { type: ColumnType; evidence: ColumnEvidence } {
    // Only the narrower types this one was chosen over need explaining.
    const narrower = candidates
      .slice(
        0,
        candidates.findIndex((c) => c.type === type),
      )
      .map((c) => c.type);
    const blockers = allBlockers.filter((b) => narrower.includes(b.type as Exclude<ColumnType, 'text'>));
    return {
      type,
      evidence: { ...base, blockers, reason: this.empty > 0 ? `${reason} Empty cells are null.` : reason },
    };
  }

  private shares(): ColumnEvidence['shares'] {
    const total = this.nonEmpty;
    const share = (count: number) => (total === 0 ? 0 : count / total);
    return {
      integer: share(this.integers),
      bigint: share(this.bigints),
      double: share(this.doubles),
      boolean: share(this.booleans),
      date: share(this.dates),
      timestamp: share(this.timestamps),
      text: total === 0 ? 0 : 1,
    };
  }
}

function orderOf(bits: number): DateOrder | undefined {
  const dmy = (bits & DATE_DMY) !== 0;
  const mdy = (bits & DATE_MDY) !== 0;
  return dmy === mdy ? undefined : dmy ? 'dmy' : 'mdy';
}

function rawValue(buf: Uint8Array, start: number, end: number, escapes: boolean): string {
  const text = latin1(buf, start, end);
  return escapes ? text.replaceAll('""', '"') : text;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function article(type: ColumnType): string {
  return type === 'integer' ? 'an' : 'a';
}

/**
 * Why a column stayed text, in the terms a person checks: the closest narrower type, how much of
 * the column fits it, and a value that does not.
 */
function textReason(shares: ColumnEvidence['shares'], blockers: ColumnEvidence['blockers']): string {
  const closest = (Object.entries(shares) as [ColumnType, number][])
    .filter(([type, share]) => type !== 'text' && share > 0)
    .sort((a, b) => b[1] - a[1])[0];
  const blocker = blockers.find((b) => b.type === closest?.[0]) ?? blockers[0];
  if (!closest || !blocker) return 'Kept as text: the values are not numbers, dates or yes/no values.';
  const share = closest[1] >= 0.995 && closest[1] < 1 ? '>99%' : `${Math.round(closest[1] * 100)}%`;
  return `Kept as text: ${share} of the values read as ${article(closest[0])} ${closest[0]}, but values such as "${blocker.value}" (line ${blocker.line}) do not.`;
}
