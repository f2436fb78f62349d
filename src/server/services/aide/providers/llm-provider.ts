import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, type LanguageModel, Output } from 'ai';
import { LlmAnswer, toProviderAnswer } from './llm-answer.schema.js';
import { type PromptFile, renderSystemPrompt, renderUserPrompt } from './prompt-file.js';
import type { ProviderName, SqlProvider } from './provider.types.js';

export type LlmProviderName = Exclude<ProviderName, 'builtin'>;

export interface LlmSettings {
  provider: LlmProviderName;
  model: string;
  /** Unset: the provider's public API. */
  baseUrl: string | undefined;
  /** A secret: handed to the SDK only, never logged. */
  apiKey: string | undefined;
}

/** The AI SDK model for `settings` (one place for the provider switch). */
export function languageModel({ provider, model, baseUrl, apiKey }: LlmSettings): LanguageModel {
  switch (provider) {
    case 'openai':
      // `.chat`: the Chat Completions API, which every OpenAI-shaped gateway also speaks; the
      // SDK's default (the Responses API) is OpenAI's own.
      return createOpenAI({ apiKey, baseURL: baseUrl }).chat(model);
    case 'anthropic':
      return createAnthropic({ apiKey, baseURL: baseUrl })(model);
    case 'openai-compatible':
      if (!baseUrl) throw new Error('openai-compatible needs a base URL');
      // Ollama, vLLM and LM Studio all accept a JSON schema in response_format.
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: baseUrl,
        apiKey,
        supportsStructuredOutputs: true,
      }).chatModel(model);
  }
}

/**
 * An LLM behind the provider interface, through the AI SDK: the versioned prompt describes the
 * dataset and the rules, the answer is structured output validated by `LlmAnswer`. One attempt
 * per call: timeouts, retries and the breaker are the caller's (`withResilience`).
 */
export function createLlmProvider(settings: LlmSettings, prompt: PromptFile): SqlProvider {
  const model = languageModel(settings);
  return {
    name: settings.provider,
    model: settings.model,
    promptVersion: prompt.version,
    repairs: true,
    async generateSql(input, signal) {
      const result = await generateText({
        model,
        system: renderSystemPrompt(prompt, input.dataset),
        prompt: renderUserPrompt(input),
        output: Output.object({ schema: LlmAnswer }),
        temperature: 0,
        // An answer is one query and a sentence; a cap keeps a runaway model cheap.
        maxOutputTokens: 1_024,
        maxRetries: 0,
        abortSignal: signal,
      });
      return {
        ...toProviderAnswer(result.output),
        usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
      };
    },
  };
}
