import { answerQuestion } from '../engine/answer-question.js';
import type { SqlProvider } from './provider.types.js';

// 2: follow-up questions read against the conversation (a cached answer of version 1 must not stand for them).
export const BUILTIN_PROMPT_VERSION = 'builtin-2';

/** The deterministic engine behind the provider interface: synchronous, no tokens, never fails over. */
export function createBuiltinProvider(): SqlProvider {
  return {
    name: 'builtin',
    model: null,
    promptVersion: BUILTIN_PROMPT_VERSION,
    repairs: false,
    async generateSql({ question, dataset, context }) {
      const answer = answerQuestion(question, dataset, context ? { context } : {});
      if (!answer.understood) return answer;
      const { sql, chart, explanation } = answer;
      return { understood: true, sql, chart, explanation };
    },
  };
}
