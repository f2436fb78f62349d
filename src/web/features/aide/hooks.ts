import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Nl2SqlBody } from '../../../contracts/aide/nl2sql.js';
import { askQuestion, getHistory } from './api.js';

/** Query keys of the AIDE feature, in one place so invalidation cannot miss one. */
export const aideKeys = {
  all: ['aide'] as const,
  history: (datasetId: string) => [...aideKeys.all, 'history', datasetId] as const,
};

/** How many past questions the panel offers again. */
const HISTORY_LIMIT = 10;

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
