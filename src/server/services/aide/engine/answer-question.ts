/**
 * The built-in NL -> SQL engine: deterministic, synchronous, no database and no model. It reads a
 * question against a dataset's description and answers with one SELECT over that dataset's table,
 * or says it did not understand and offers questions it would answer: a wrong answer is worse
 * than none. With the conversation's earlier questions it also answers follow-ups ("and by
 * region?", "only North", "the average instead"): see follow-up.ts for when context is used.
 */
import { buildQuery } from './build-sql.js';
import { buildColumnIndex } from './column-index.js';
import type { DatasetDescription, EngineAnswer } from './engine.types.js';
import { followUpNote, readContext, readInConversation } from './follow-up.js';
import { tokenize } from './lexer.js';
import { closestColumns, suggestQuestions } from './suggestions.js';
import { readYearColumn } from './year-column.js';

export interface AnswerOptions {
  /** Earlier questions of the conversation, oldest first (user data, like the question). */
  context?: readonly string[];
}

export function answerQuestion(
  question: string,
  dataset: DatasetDescription,
  options: AnswerOptions = {},
): EngineAnswer {
  const index = buildColumnIndex(dataset);
  if (tokenize(question).length === 0)
    return { understood: false, reason: 'The question is empty.', suggestions: suggestQuestions(dataset) };
  const base = options.context?.length ? readContext(options.context, index) : undefined;
  const reading = readInConversation(question, index, base);
  if (!reading.ok) {
    const near = reading.unknownWords ? closestColumns(dataset, reading.unknownWords) : [];
    const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
    return { understood: false, reason: reading.reason + hint, suggestions: suggestQuestions(dataset) };
  }
  const year = readYearColumn(reading.intent);
  if ('reason' in year)
    return { understood: false, reason: year.reason, suggestions: suggestQuestions(dataset) };
  const built = buildQuery(year.intent, dataset);
  const explanation = reading.followUp
    ? built.explanation + followUpNote(reading.followUp.base, reading.followUp.changes)
    : built.explanation;
  return { understood: true, ...built, explanation };
}
