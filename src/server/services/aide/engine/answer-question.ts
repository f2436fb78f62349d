/**
 * The built-in NL -> SQL engine: deterministic, synchronous, no database and no model. It reads a
 * question against a dataset's description and answers with one SELECT over that dataset's table,
 * or says it did not understand and offers questions it would answer: a wrong answer is worse
 * than none.
 */
import { buildQuery } from './build-sql.js';
import { buildColumnIndex } from './column-index.js';
import type { DatasetDescription, EngineAnswer } from './engine.types.js';
import { tokenize } from './lexer.js';
import { parseQuestion } from './parse-question.js';
import { closestColumns, suggestQuestions } from './suggestions.js';

export function answerQuestion(question: string, dataset: DatasetDescription): EngineAnswer {
  const index = buildColumnIndex(dataset);
  const tokens = tokenize(question);
  if (tokens.length === 0)
    return { understood: false, reason: 'The question is empty.', suggestions: suggestQuestions(dataset) };
  const parsed = parseQuestion(index.lexemes(tokens), index);
  if (!parsed.ok) {
    const near = parsed.unknownWords ? closestColumns(dataset, parsed.unknownWords) : [];
    const hint = near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
    return { understood: false, reason: parsed.reason + hint, suggestions: suggestQuestions(dataset) };
  }
  return { understood: true, ...buildQuery(parsed.intent, dataset) };
}
