import { z } from 'zod';
import type { ProviderAnswer } from './provider.types.js';

/**
 * What an LLM must answer (structured output). Flat with nullable fields rather than a union:
 * OpenAI's strict JSON schemas require every property, and small local models follow a flat
 * object far more reliably.
 */
export const LlmAnswer = z.object({
  understood: z.boolean(),
  sql: z.string().nullable(),
  chart: z
    .object({
      type: z.enum(['bar', 'line', 'table', 'number', 'pie']),
      x: z.string().nullable(),
      y: z.string().nullable(),
    })
    .nullable(),
  explanation: z.string().nullable(),
  reason: z.string().nullable(),
  suggestions: z.array(z.string()).max(5),
});
export type LlmAnswer = z.infer<typeof LlmAnswer>;

/** The answer parsed but does not hold together (understood without SQL...). Not worth a retry. */
export class InvalidLlmAnswer extends Error {
  override readonly name = 'InvalidLlmAnswer';
}

export function toProviderAnswer(answer: LlmAnswer): ProviderAnswer {
  if (!answer.understood)
    return {
      understood: false,
      reason: answer.reason?.trim() || 'The question could not be answered from this dataset.',
      suggestions: answer.suggestions,
    };
  const sql = answer.sql?.trim();
  if (!sql) throw new InvalidLlmAnswer('understood without SQL');
  const chart = answer.chart ?? { type: 'table' as const, x: null, y: null };
  return {
    understood: true,
    sql,
    chart: {
      type: chart.type,
      ...(chart.x ? { x: chart.x } : {}),
      ...(chart.y ? { y: chart.y } : {}),
    },
    explanation: answer.explanation?.trim() || 'SQL written by the language model.',
  };
}
