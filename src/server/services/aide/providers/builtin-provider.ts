import { answerQuestion } from '../engine/answer-question.js';
import type { SqlProvider } from './provider.types.js';

export const BUILTIN_PROMPT_VERSION = 'builtin-1';

/** The deterministic engine behind the provider interface: synchronous, no tokens, never fails over. */
export function createBuiltinProvider(): SqlProvider {
  return {
    name: 'builtin',
    model: null,
    promptVersion: BUILTIN_PROMPT_VERSION,
    repairs: false,
    async generateSql({ question, dataset }) {
      const answer = answerQuestion(question, dataset);
      if (!answer.understood) return answer;
      const { sql, chart, explanation } = answer;
      return { understood: true, sql, chart, explanation };
    },
  };
}
