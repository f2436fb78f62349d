/**
 * Question text -> tokens: words (lowercase), numbers (with $, thousands separators, k/m
 * suffixes, %), ISO days, quoted strings and comparison symbols. Punctuation is dropped, so
 * "; DROP TABLE" is just the words "drop" and "table".
 */
import { foldCase } from './text.js';

export type ComparisonOp = '>' | '>=' | '<' | '<=' | '=' | '<>';

export type Token =
  | { kind: 'word'; text: string; raw: string }
  | { kind: 'number'; value: number; raw: string; percent: boolean; plainInteger: boolean }
  | { kind: 'day'; iso: string; raw: string }
  | { kind: 'quoted'; raw: string }
  | { kind: 'op'; op: ComparisonOp; raw: string };

const MAX_QUESTION_LENGTH = 500;

const TOKEN_PATTERN = new RegExp(
  [
    '"(?<dq>[^"]+)"',
    '“(?<cq>[^”]+)”',
    String.raw`(?<![\p{L}\p{N}])'(?<sq>[^']+)'(?![\p{L}\p{N}])`,
    String.raw`(?<day>\d{4}-\d{1,2}-\d{1,2})(?![\p{N}])`,
    '(?<op>>=|<=|!=|<>|=>|=<|>|<|=)',
    // "the 1990s" is a decade, one word: not the year 1990 and a stray "s".
    String.raw`(?<decade>(?<![\p{L}\p{N}])\d{4}['’]?s(?![\p{L}\p{N}]))`,
    String.raw`(?<num>(?<![\p{L}\p{N}])-?[$€£]?\d+(?:,\d{3})*(?:\.\d+)?(?:(?:k|m|bn)(?![\p{L}])|\s(?:thousand|million|billion)\b)?\s?%?)`,
    '(?<pct>%)',
    String.raw`(?<word>[\p{L}\p{N}]+(?:['’][\p{L}]+)?)`,
  ].join('|'),
  'gu',
);

const SUFFIX_FACTORS: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  million: 1e6,
  bn: 1e9,
  billion: 1e9,
};
const OP_ALIASES: Record<string, ComparisonOp> = { '!=': '<>', '=>': '>=', '=<': '<=' };

function numberToken(raw: string): Token {
  const percent = raw.trimEnd().endsWith('%');
  const body = raw.replace(/[$€£%\s,]/g, '');
  const suffix = /(k|m|bn|thousand|million|billion)$/.exec(body)?.[1];
  const digits = suffix ? body.slice(0, -suffix.length) : body;
  const value = Number(digits) * (suffix ? SUFFIX_FACTORS[suffix]! : 1);
  return { kind: 'number', value, raw: raw.trim(), percent, plainInteger: /^\d+$/.test(raw.trim()) };
}

function isRealDay(iso: string): string | undefined {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return date.toISOString().slice(0, 10);
}

const IRREGULAR_NEGATIONS: Record<string, string> = { ca: 'can', wo: 'will', sha: 'shall', ai: 'is' };

/** The verb of a "n't" contraction: "haven't" -> "have", "can't" -> "can". */
function negatedBase(word: string): string {
  const base = word.slice(0, -3);
  return IRREGULAR_NEGATIONS[base.toLowerCase()] ?? base;
}

export function tokenize(question: string): Token[] {
  const tokens: Token[] = [];
  for (const match of question.slice(0, MAX_QUESTION_LENGTH).matchAll(TOKEN_PATTERN)) {
    const g = match.groups!;
    const quoted = g.dq ?? g.cq ?? g.sq;
    if (quoted !== undefined) tokens.push({ kind: 'quoted', raw: quoted.trim() });
    else if (g.day) {
      const iso = isRealDay(g.day);
      if (iso) tokens.push({ kind: 'day', iso, raw: g.day });
      else tokens.push({ kind: 'word', text: g.day, raw: g.day });
    } else if (g.decade) tokens.push({ kind: 'word', text: g.decade.replace(/['’]/, ''), raw: g.decade });
    else if (g.op) tokens.push({ kind: 'op', op: OP_ALIASES[g.op] ?? (g.op as ComparisonOp), raw: g.op });
    else if (g.num) tokens.push(numberToken(g.num));
    else if (g.pct) tokens.push({ kind: 'word', text: 'percent', raw: '%' });
    else if (g.word) {
      // "haven't", "isn't", "don't" keep their negation: "have not", "is not", "do not".
      const negated = /n['’]t$/i.test(g.word);
      // Possessives and contractions ("customer's", "what's") keep only the word itself.
      // Other apostrophes split the word ("O'Reilly" -> O, Reilly), as they do in stored values.
      const raw = negated ? negatedBase(g.word) : g.word.replace(/['’](s|re|ve|ll|d|t)$/i, '');
      // camelCase splits too ("unitPrice"), as headers and values are split by splitWords.
      for (const part of raw.split(/['’]|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u))
        tokens.push({ kind: 'word', text: foldCase(part), raw: part });
      if (negated) tokens.push({ kind: 'word', text: 'not', raw: 'not' });
    }
  }
  return tokens;
}
