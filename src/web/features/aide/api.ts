import { AnalyzeDatasetResponse, InsightsResponse } from '../../../contracts/aide/insights.js';
import {
  History,
  type HistoryQuery,
  type Nl2SqlBody,
  Nl2SqlResponse,
} from '../../../contracts/aide/nl2sql.js';
import { type UsageQuery, UsageResponse } from '../../../contracts/aide/usage.js';
import { request } from '../../shared/api/http.js';

/** Asks a question of a dataset; the answer is parsed with the server's own contract. */
export function askQuestion(body: Nl2SqlBody) {
  // The server runs the SQL with a 5 s statement timeout; an LLM provider may take longer to write it.
  return request(Nl2SqlResponse, { method: 'POST', url: '/api/aide/nl2sql', data: body, timeout: 60_000 });
}

/** The caller's recent questions about a dataset, newest first. */
export function getHistory(query: Partial<HistoryQuery> & Pick<HistoryQuery, 'datasetId'>) {
  return request(History, { url: '/api/aide/history', params: query });
}

/** Up to 4 insights computed from the dataset (a few statistics queries on the server). */
export function generateInsights(datasetId: string) {
  // Several scans under a 10 s statement timeout each, plus an LLM rephrasing when one is configured.
  return request(InsightsResponse, {
    method: 'POST',
    url: `/api/aide/insights/${encodeURIComponent(datasetId)}`,
    timeout: 60_000,
  });
}

/** The statistical summary of a dataset, each column explained in plain words. */
export function analyzeDataset(datasetId: string) {
  return request(AnalyzeDatasetResponse, {
    method: 'POST',
    url: '/api/aide/analyze-dataset',
    data: { datasetId },
    timeout: 60_000,
  });
}

/** Requests, tokens and cost per user, provider, model and feature over a window. */
export function getUsage(query: UsageQuery) {
  return request(UsageResponse, { url: '/api/aide/usage', params: query });
}
