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
const numberPattern =
  /(?<![\p{L}\p{N}_.])([-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s?%|\s(?:percent|per cent)\b)?/giu;

// Numbers written as words count as numbers too: a rephrasing could otherwise slip in "four
// regions" or "doubled" unchecked. "one" is left out (it is mostly a pronoun: "one of the
// regions"), and so is "half" (the interquartile range is "the middle half").
const belowTwenty = (
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen ' +
  'sixteen seventeen eighteen nineteen'
).split(' ');
const tens = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const wordValues = new Map<string, number>([
  ...belowTwenty.map((word, value) => [word, value] as const),
  ...tens.map((word, i) => [word, 20 + i * 10] as const),
]);
const singleWords = [...wordValues.keys()].filter((word) => word !== 'one').join('|');
const unitWords = belowTwenty.slice(1, 10).join('|');
const tensWords = tens.join('|');
const numberWordPattern = new RegExp(
  `\\b(?:(${tensWords})(?:[- ](${unitWords}))?|(${singleWords}))\\b(\\s?%|\\s(?:percent|per cent)\\b)?`,
  'giu',
);
// Magnitudes and ratios: never a fact as such (facts hold the numbers themselves), so rejected.
const unsupportedWords =
  /\b(?:hundreds?|thousands?|millions?|billions?|trillions?|dozens?|twice|double[ds]?|doubling|triple[ds]?|tripling|quadruple[ds]?|(?:two|three|four|five|ten|hundred)fold)\b/giu;

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
  for (const match of rest.matchAll(numberWordPattern)) {
    const [whole, ten, unit, single, percent] = match;
    const value = single
      ? wordValues.get(single.toLowerCase())!
      : wordValues.get(ten!.toLowerCase())! + (unit ? wordValues.get(unit.toLowerCase())! : 0);
    found.push({ text: whole.trim(), value, decimals: 0, percent: Boolean(percent) });
  }
  for (const match of rest.matchAll(unsupportedWords))
    found.push({ text: match[0], value: Number.NaN, decimals: 0, percent: false });
  return found;
}

/**
 * What a numeric fact measures, read from its key (the convention of `find-insights.ts`):
 * `...Pct` is already in percent (71.4), `share`/`...Share` is a fraction (0.714), anything else
 * is a plain quantity. A text fact that is a number ("1,500", "12.5%") says it by its `%`.
 */
type FactUnit = 'percent' | 'share' | 'plain';
interface NumericFact {
  value: number;
  unit: FactUnit;
}

const unitOfKey = (key: string): FactUnit =>
  /(?:Pct|Percent|Percentage)$/.test(key) || /^(?:pct|percent|percentage)$/i.test(key)
    ? 'percent'
    : /(?:^share|Share)$/.test(key)
      ? 'share'
      : 'plain';

/** Numeric facts, including text facts that are a plain number ("1,234", "12.5%"). */
function numericFacts(facts: InsightFacts): NumericFact[] {
  const out: NumericFact[] = [];
  for (const [key, value] of Object.entries(facts)) {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) out.push({ value, unit: unitOfKey(key) });
      continue;
    }
    const m = /^\s*([-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(%?)\s*$/.exec(value);
    if (m)
      out.push({
        value: (m[1] ? -1 : 1) * Number(`${m[2]!.replaceAll(',', '')}${m[3] ? `.${m[3]}` : ''}`),
        unit: m[4] ? 'percent' : 'plain',
      });
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

/**
 * The value `written` must round from, given the fact's unit; null when the units cannot match:
 * a percentage of a plain quantity ("r = 0.88" as "88%", "120 rows" as "120%") or a percent fact
 * without its percent sign ("71.4" for a 71.4% share) would say something the facts do not.
 */
function comparableValue(written: WrittenNumber, fact: NumericFact): number | null {
  if (written.percent)
    return fact.unit === 'percent' ? fact.value : fact.unit === 'share' ? fact.value * 100 : null;
  return fact.unit === 'percent' ? null : fact.value;
}

function isGrounded(written: WrittenNumber, facts: NumericFact[]): boolean {
  return facts.some((fact) => {
    const value = comparableValue(written, fact);
    return (
      value !== null &&
      // The same sign, or a magnitude: "fell by 12%" for a change of -12.
      (Math.sign(written.value) === Math.sign(value) || written.value >= 0) &&
      shownAs(written, value)
    );
  });
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
 * percentage (0.25 as 25%), a percent fact with `%` or "percent", small numbers in words ("three"
 * for 3), and a negative fact as its magnitude ("fell 12%" for -12). Rejected: any other number,
 * a sign the fact does not have (-12 for 12), a percentage of a plain quantity or a percent fact
 * without its sign, and magnitude or ratio words ("thousands", "doubled", "twice").
 */
export function numbersAreGrounded(text: string, facts: InsightFacts): boolean {
  return ungroundedNumbers(text, facts).length === 0;
}
