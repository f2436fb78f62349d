import type { InsightFacts } from '../../../../contracts/aide/insights.js';

/** A number as written in a text: its value, the decimals shown, and whether it is a percentage. */
export interface WrittenNumber {
  text: string;
  value: number;
  decimals: number;
  percent: boolean;
}

// A sign only counts when it does not join two words or numbers ("2023-2024", "x-1"): a minus
// after a letter or digit is a hyphen. Thousands separators are commas in groups of three.
const numberPattern = /(?<![\p{L}\p{N}_.])([-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s?%)?/gu;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The numbers written in `text`. Text facts (column names such as "Q3 sales", months such as
 * "2024-01", category names) are taken out first, longest first, so the digits inside them are
 * not read as numbers: they are grounded by being the fact itself.
 */
export function extractNumbers(text: string, facts: InsightFacts = {}): WrittenNumber[] {
  let rest = text;
  const textFacts = Object.values(facts)
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const fact of textFacts) rest = rest.replace(new RegExp(escapeRegExp(fact), 'g'), ' ');
  const found: WrittenNumber[] = [];
  for (const match of rest.matchAll(numberPattern)) {
    const [whole, sign, integer, fraction, percent] = match;
    const digits = `${integer!.replaceAll(',', '')}${fraction ? `.${fraction}` : ''}`;
    found.push({
      text: whole.trim(),
      value: (sign ? -1 : 1) * Number(digits),
      decimals: fraction?.length ?? 0,
      percent: Boolean(percent),
    });
  }
  return found;
}

/** Numeric facts, including text facts that are a plain number ("1,234", "12.5%"). */
function numericFacts(facts: InsightFacts): number[] {
  const out: number[] = [];
  for (const value of Object.values(facts)) {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) out.push(value);
      continue;
    }
    const m = /^\s*([-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*%?\s*$/.exec(value);
    if (m) out.push((m[1] ? -1 : 1) * Number(`${m[2]!.replaceAll(',', '')}${m[3] ? `.${m[3]}` : ''}`));
  }
  return out;
}

/** True when `written`, shown with its decimals, is `fact` rounded to that precision. */
function shownAs(written: WrittenNumber, fact: number): boolean {
  const halfUnit = 0.5 * 10 ** -written.decimals;
  // The relative slack only absorbs binary floating point (0.1 + 0.2), never a real difference.
  const slack = 1e-9 * Math.max(1, Math.abs(fact));
  return Math.abs(Math.abs(fact) - Math.abs(written.value)) <= halfUnit + slack;
}

function isGrounded(written: WrittenNumber, facts: number[]): boolean {
  return facts.some(
    (fact) =>
      // The same sign, or a magnitude: "fell by 12%" for a change of -12.
      (Math.sign(written.value) === Math.sign(fact) || written.value >= 0) &&
      // A percentage may be written from a share (0.25 -> 25%) or from a fact already in percent.
      (shownAs(written, fact) || (written.percent && shownAs(written, fact * 100))),
  );
}

/** The numbers of `text` that no fact supports (empty when the text is grounded). */
export function ungroundedNumbers(text: string, facts: InsightFacts): WrittenNumber[] {
  const numbers = numericFacts(facts);
  return extractNumbers(text, facts).filter((written) => !isGrounded(written, numbers));
}

/**
 * Whether every number in `text` comes from `facts`: the check an LLM's rephrasing of an insight
 * must pass, else the template text is kept. Accepted spellings of a fact: thousands separators
 * (1,234 or 1234), rounding to the decimals shown (0.8765 as 0.88 or 0.9), a share as a
 * percentage (0.25 as 25%), and a negative fact as its magnitude ("fell 12%" for -12). A number
 * with a sign the fact does not have (-12 for 12) or any other number is rejected.
 */
export function numbersAreGrounded(text: string, facts: InsightFacts): boolean {
  return ungroundedNumbers(text, facts).length === 0;
}
