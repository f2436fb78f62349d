import type { UsageRow } from '../../../../contracts/aide/usage.js';

/** Display helpers of the usage page: counts with separators, dollars to a hundredth of a cent. */

export const formatCount = (n: number) => n.toLocaleString('en-US');

const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/** $1,234.50, $0.0015; a cost too small for 4 decimals is not shown as $0.00. */
export function formatUsd(amount: number): string {
  if (amount > 0 && amount < 0.00005) return '< $0.0001';
  return usd.format(amount);
}

/** Said under the cost when some LLM requests could not be priced; undefined when all were. */
export function unpricedNote(unpricedRequests: number): string | undefined {
  if (unpricedRequests <= 0) return undefined;
  const n = formatCount(unpricedRequests);
  return unpricedRequests === 1
    ? `${n} request has no price configured (LLM_PRICE_*)`
    : `${n} requests have no price configured (LLM_PRICE_*)`;
}

const featureLabels: Record<UsageRow['feature'], string> = {
  nl2sql: 'Questions',
  insights: 'Insights',
};

export const featureLabel = (feature: UsageRow['feature']) => featureLabels[feature];

const providerLabels: Record<string, string> = {
  builtin: 'Built-in engine',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'openai-compatible': 'OpenAI-compatible',
};

/** A provider's display name; one this page does not know is shown as the server names it. */
export const providerLabel = (provider: string) => providerLabels[provider] ?? provider;
