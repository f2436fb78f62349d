import type { ComputedInsight, Insight } from '../../../../contracts/aide/insights.js';
import type { ProviderFallback, TokenUsage } from '../../../../contracts/aide/nl2sql.js';
import type { RequestContext } from '../../../platform/http/request-context.js';
import { classifyProviderFailure, type InsightsRephraser, type RephrasedText } from '../providers/index.js';
import { ungroundedNumbers } from './grounding.js';

/** Who wrote the text when no LLM did: the templates of `find-insights.ts`. */
export const TEMPLATE_PROVIDER = 'builtin';
export const TEMPLATE_VERSION = 'builtin-1';

// A title is one line and an explanation a few sentences (the templates stay well under these);
// anything longer is a model that rambled or was talked into writing something else.
export const MAX_TITLE_CHARS = 160;
export const MAX_EXPLANATION_CHARS = 800;

/** The insights with the text that stays, and who wrote it. */
export interface WrittenInsights {
  insights: Insight[];
  provider: string;
  model: string | null;
  promptVersion: string;
  fallback?: ProviderFallback;
  usage?: TokenUsage;
}

type Rejection = 'missing' | 'empty' | 'too_long' | 'ungrounded_title' | 'ungrounded_explanation';

// biome-ignore lint/suspicious/noControlCharactersInRegex: a model's text may carry them; they go.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const tidy = (text: string) => text.replace(controlCharacters, ' ').replace(/\s+/g, ' ').trim();

/** Why the model's text for `insight` cannot replace the template, or null when it can. */
function rejectionOf(text: RephrasedText | undefined, insight: ComputedInsight): Rejection | null {
  if (!text) return 'missing';
  if (!text.title || !text.explanation) return 'empty';
  if (text.title.length > MAX_TITLE_CHARS || text.explanation.length > MAX_EXPLANATION_CHARS)
    return 'too_long';
  if (ungroundedNumbers(text.title, insight.facts).length > 0) return 'ungrounded_title';
  if (ungroundedNumbers(text.explanation, insight.facts).length > 0) return 'ungrounded_explanation';
  return null;
}

/** The model's texts by index, tidied; the first one wins when an index repeats. */
function textsByIndex(texts: RephrasedText[]): Map<number, RephrasedText> {
  const byIndex = new Map<number, RephrasedText>();
  for (const text of texts)
    if (!byIndex.has(text.index))
      byIndex.set(text.index, { ...text, title: tidy(text.title), explanation: tidy(text.explanation) });
  return byIndex;
}

const asTemplates = (insights: ComputedInsight[]): Insight[] =>
  insights.map((insight) => ({ ...insight, rephrased: false }));

export const templatesOnly = (insights: ComputedInsight[], fallback?: ProviderFallback): WrittenInsights => ({
  insights: asTemplates(insights),
  provider: TEMPLATE_PROVIDER,
  model: null,
  promptVersion: TEMPLATE_VERSION,
  ...(fallback ? { fallback } : {}),
});

/**
 * Lets the configured LLM rephrase the insights' texts, in one call, and keeps each rephrasing
 * only when its title and explanation are non-empty, of sane length and every number in them is
 * one of that insight's facts (`numbersAreGrounded`); otherwise that insight keeps its template
 * text. Facts, charts and scores are never touched. A failing LLM (down, timeout, breaker open,
 * malformed answer) is never an error for the user: the templates stay and `fallback` says why.
 */
export async function rephraseInsights(
  ctx: RequestContext,
  rephraser: InsightsRephraser | null | undefined,
  computed: ComputedInsight[],
): Promise<WrittenInsights> {
  if (!rephraser || computed.length === 0) return templatesOnly(computed);
  let rephrasing: Awaited<ReturnType<InsightsRephraser['rephrase']>>;
  try {
    rephrasing = await rephraser.rephrase(
      computed.map(({ kind, title, explanation, facts }) => ({ kind, title, explanation, facts })),
    );
  } catch (err) {
    const reason = classifyProviderFailure(err);
    // The message only: SDK errors carry the request body (the prompt, with the user's data).
    ctx.log.warn(
      { provider: rephraser.name, model: rephraser.model, reason, err: (err as Error).message },
      'LLM rephrasing of insights failed; the template texts stay',
    );
    return templatesOnly(computed, { from: rephraser.name, reason });
  }

  const texts = textsByIndex(rephrasing.texts);
  const rejected: { index: number; kind: string; reason: Rejection }[] = [];
  const insights = computed.map((insight, index): Insight => {
    const text = texts.get(index);
    const reason = rejectionOf(text, insight);
    if (reason || !text) {
      rejected.push({ index, kind: insight.kind, reason: reason ?? 'missing' });
      return { ...insight, rephrased: false };
    }
    return { ...insight, title: text.title, explanation: text.explanation, rephrased: true };
  });
  // Indexes, kinds and reasons only: the texts carry the user's column names and values.
  if (rejected.length > 0)
    ctx.log.warn(
      { provider: rephraser.name, model: rephraser.model, rejected },
      'LLM rephrasings of insights rejected; those insights keep their template text',
    );

  const usage = rephrasing.usage && {
    inputTokens: rephrasing.usage.inputTokens ?? null,
    outputTokens: rephrasing.usage.outputTokens ?? null,
  };
  const byLlm = insights.some((insight) => insight.rephrased);
  return {
    insights,
    provider: byLlm ? rephraser.name : TEMPLATE_PROVIDER,
    model: byLlm ? rephraser.model : null,
    promptVersion: byLlm ? rephraser.promptVersion : TEMPLATE_VERSION,
    ...(usage ? { usage } : {}),
  };
}
