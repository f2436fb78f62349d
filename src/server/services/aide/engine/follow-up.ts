/**
 * Questions read in a conversation. The earlier questions (oldest first) are read in turn, each
 * against the ones before it, into the intent of the last one understood; the new question is
 * read as a follow-up of that intent when, and only when:
 *   1. it is not understood on its own ("top 5", "the max instead", "now by month"), or
 *   2. it opens with a follow-up word: and, also, now, then, so, but, only, just, instead, same,
 *      ok/okay, "what about", "how about", "what if" ("what about the South?"), or
 *   3. it names nothing to compute or list of its own: only filters and groupings ("North",
 *      "in 2024", "split by channel"), or only a count with no rows named ("how many?"), which
 *      alone would default to listing or counting the whole table.
 * Any other question is answered exactly as without context. A follow-up that cannot be combined
 * with the previous question is refused, never answered on its own instead.
 * Context questions are user data like the question: they go through the same lexer, index and
 * parser, so they add no new way for text to reach SQL.
 */
import type { ColumnIndex, Lexeme } from './column-index.js';
import type { ColumnDescription } from './engine.types.js';
import type { Token } from './lexer.js';
import { tokenize } from './lexer.js';
import { contributes, leansOnContext, mergeFollowUp } from './merge-follow-up.js';
import { type FragmentResult, parseFragment, parseQuestion } from './parse-question.js';
import type { QueryIntent } from './query-intent.js';

/** The previous question as understood, and the questions (oldest first) that built it. */
export interface ConversationBase {
  intent: QueryIntent;
  questions: string[];
}

export type Reading =
  | { ok: true; intent: QueryIntent; followUp?: { base: ConversationBase; changes: string[] } }
  | { ok: false; reason: string; unknownWords?: string[] };

const OPENING_WORDS = new Set([
  'and',
  'also',
  'now',
  'then',
  'so',
  'but',
  'only',
  'just',
  'instead',
  'same',
  'ok',
  'okay',
]);
const OPENING_PAIRS = new Set(['what about', 'how about', 'what if']);

/** Rule 2: the question opens like a follow-up. */
export function opensAsFollowUp(tokens: Token[]): boolean {
  const word = (k: number) => {
    const t = tokens[k];
    return t?.kind === 'word' ? t.text : undefined;
  };
  const first = word(0);
  if (first === undefined) return false;
  return OPENING_WORDS.has(first) || OPENING_PAIRS.has(`${first} ${word(1) ?? ''}`);
}

/** Reads the earlier questions, oldest first; undefined when none of them was understood. */
export function readContext(context: readonly string[], index: ColumnIndex): ConversationBase | undefined {
  let base: ConversationBase | undefined;
  for (const question of context) {
    const reading = readInConversation(question, index, base);
    if (!reading.ok) continue; // a question the user had to rephrase does not reset the thread
    base = reading.followUp
      ? { intent: reading.intent, questions: [...reading.followUp.base.questions, question] }
      : { intent: reading.intent, questions: [question] };
  }
  return base;
}

/** One question, on its own or, by the rules above, as a follow-up of `base`. */
export function readInConversation(question: string, index: ColumnIndex, base?: ConversationBase): Reading {
  const tokens = tokenize(question);
  const lexemes = index.lexemes(tokens);
  const alone = parseQuestion(lexemes, index);
  if (!base) return alone;
  const opens = opensAsFollowUp(tokens);
  if (alone.ok && !opens) {
    const fragment = readFragment(lexemes, index, base);
    if (!(fragment.ok && leansOnContext(fragment.fragment))) return alone; // rule 3 does not apply
    return asFollowUp(fragment.fragment, base, alone);
  }
  const fragment = readFragment(lexemes, index, base);
  if (!fragment.ok) return alone.ok ? fragment : alone;
  if (!alone.ok && !contributes(fragment.fragment)) return alone;
  return asFollowUp(fragment.fragment, base, alone);
}

function readFragment(lexemes: Lexeme[], index: ColumnIndex, base: ConversationBase): FragmentResult {
  const dateColumn = dateColumnOf(base.intent);
  return parseFragment(lexemes, index, dateColumn ? { dateColumn } : {});
}

function asFollowUp(
  fragment: Extract<FragmentResult, { ok: true }>['fragment'],
  base: ConversationBase,
  alone: ReturnType<typeof parseQuestion>,
): Reading {
  const merged = mergeFollowUp(base.intent, fragment);
  if (!merged.ok)
    return {
      ok: false,
      reason: `As a follow-up to ${describeThread(base.questions)}: ${merged.reason}`,
      ...(!alone.ok && alone.unknownWords ? { unknownWords: alone.unknownWords } : {}),
    };
  return { ok: true, intent: merged.intent, followUp: { base, changes: merged.changes } };
}

/** The date column the previous question filtered or grouped on, for "just 2024" on several date columns. */
function dateColumnOf(intent: QueryIntent): ColumnDescription | undefined {
  for (const f of intent.filters) if (f.kind === 'period' || f.kind === 'trailing') return f.column;
  for (const g of intent.groups) if (g.kind === 'time') return g.column;
  return undefined;
}

const SHOWN_QUESTION_CHARS = 80;

/** The thread a follow-up continues: its first question and the last two, each shortened. */
export function describeThread(questions: readonly string[]): string {
  const quote = (q: string) =>
    `"${q.length > SHOWN_QUESTION_CHARS ? `${q.slice(0, SHOWN_QUESTION_CHARS - 1).trimEnd()}…` : q}"`;
  const shown =
    questions.length <= 3
      ? questions.map(quote)
      : [quote(questions[0]!), '…', ...questions.slice(-2).map(quote)];
  return shown.join(' then ');
}

/** The explanation's tail: which question this follows and what it changed. */
export function followUpNote(base: ConversationBase, changes: string[]): string {
  return ` (follow-up to ${describeThread(base.questions)}: ${changes.join('; ')})`;
}
