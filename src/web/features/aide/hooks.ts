import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Nl2SqlBody } from '../../../contracts/aide/nl2sql.js';
import type { UsageQuery } from '../../../contracts/aide/usage.js';
import { analyzeDataset, askQuestion, generateInsights, getHistory, getUsage } from './api.js';

/** Query keys of the AIDE feature, in one place so invalidation cannot miss one. */
export const aideKeys = {
  all: ['aide'] as const,
  history: (datasetId: string) => [...aideKeys.all, 'history', datasetId] as const,
  insights: (datasetId: string) => [...aideKeys.all, 'insights', datasetId] as const,
  analysis: (datasetId: string) => [...aideKeys.all, 'analysis', datasetId] as const,
};

/** How many past questions the panel offers again. */
const HISTORY_LIMIT = 10;

/** Insights change only with the data; recomputing them costs several scans, so they stay fresh a while. */
const INSIGHTS_STALE_MS = 5 * 60_000;

/** Asks a question; every question, answered or not, lands in the history, so that is refreshed. */
export function useAsk() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Nl2SqlBody) => askQuestion(body),
    onSettled: (_data, _error, body) =>
      queryClient.invalidateQueries({ queryKey: aideKeys.history(body.datasetId) }),
  });
}

export function useHistory(datasetId: string, enabled = true) {
  return useQuery({
    queryKey: aideKeys.history(datasetId),
    queryFn: () => getHistory({ datasetId, limit: HISTORY_LIMIT }),
    enabled,
  });
}

/** The dataset's insights, computed when the panel first shows (a POST, but it changes nothing). */
export function useInsights(datasetId: string, enabled = true) {
  return useQuery({
    queryKey: aideKeys.insights(datasetId),
    queryFn: () => generateInsights(datasetId),
    enabled,
    staleTime: INSIGHTS_STALE_MS,
    refetchOnWindowFocus: false,
  });
}

/** The column-by-column summary, fetched once its disclosure is first opened. */
export function useDatasetAnalysis(datasetId: string, enabled: boolean) {
  return useQuery({
    queryKey: aideKeys.analysis(datasetId),
    queryFn: () => analyzeDataset(datasetId),
    enabled,
    staleTime: INSIGHTS_STALE_MS,
    refetchOnWindowFocus: false,
  });
}

/** Query keys of the usage page, under the feature's root so `aideKeys.all` covers them too. */
export const usageKeys = {
  all: [...aideKeys.all, 'usage'] as const,
  summary: (query: UsageQuery) => [...usageKeys.all, query] as const,
};

/** The usage summary of a window; the previous window's figures stay shown while the next loads. */
export function useUsage(query: UsageQuery) {
  return useQuery({
    queryKey: usageKeys.summary(query),
    queryFn: () => getUsage(query),
    placeholderData: keepPreviousData,
  });
}
