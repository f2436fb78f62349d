import { generateText, Output } from 'ai';
import { z } from 'zod';
import { renderInsightsMessage, renderRephraseSystemPrompt } from './insights-prompt.js';
import { type LlmSettings, languageModel } from './llm-provider.js';
import type { PromptFile } from './prompt-file.js';
import type { InsightsRephraser } from './provider.types.js';

/**
 * What an LLM must answer: one `{ index, title, explanation }` per insight it was given. The index
 * ties each text to its insight (and so to the facts it is checked against) whatever the order.
 */
export const LlmRephrasing = z.object({
  insights: z.array(
    z.object({
      index: z.number().int(),
      title: z.string(),
      explanation: z.string(),
    }),
  ),
});
export type LlmRephrasing = z.infer<typeof LlmRephrasing>;

/** Up to 4 insights, a title and two or three sentences each, in JSON: a runaway model stops here. */
export const REPHRASE_MAX_OUTPUT_TOKENS = 1_500;

/**
 * An LLM that rephrases insights, through the AI SDK: one call for all of them, structured output
 * validated by `LlmRephrasing`. One attempt per call: timeouts, retries and the breaker are the
 * caller's (`withRephraserResilience`); checking the numbers is the insights service's.
 */
export function createLlmRephraser(settings: LlmSettings, prompt: PromptFile): InsightsRephraser {
  const model = languageModel(settings);
  return {
    name: settings.provider,
    model: settings.model,
    promptVersion: prompt.version,
    async rephrase(insights, signal) {
      const result = await generateText({
        model,
        system: renderRephraseSystemPrompt(prompt),
        prompt: renderInsightsMessage(insights),
        output: Output.object({ schema: LlmRephrasing }),
        temperature: 0,
        maxOutputTokens: REPHRASE_MAX_OUTPUT_TOKENS,
        maxRetries: 0,
        abortSignal: signal,
      });
      return {
        texts: result.output.insights,
        usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
      };
    },
  };
}
