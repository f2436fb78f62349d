import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CohortRequest,
  CorrelationRequest,
  Report,
  ReportListQuery,
} from '../../../contracts/axi/analytics.js';
import { ApiError } from '../../shared/api/http.js';
import { getReport, getSummary, listReports, runCohorts, runCorrelations } from './api.js';

/** Query keys of the analytics feature, in one place so invalidation cannot miss one. */
export const analyticsKeys = {
  all: ['analytics'] as const,
  summary: (datasetId: string) => [...analyticsKeys.all, 'summary', datasetId] as const,
  reports: () => [...analyticsKeys.all, 'reports'] as const,
  reportList: (query: Partial<ReportListQuery>) => [...analyticsKeys.reports(), 'list', query] as const,
  report: (id: string) => [...analyticsKeys.reports(), 'detail', id] as const,
};

/**
 * Statuses that mean "not ready yet" rather than "failed": keep polling instead of giving up.
 * Not 404: GET summary computes a missing profile itself, so 404 means the dataset is gone.
 */
const notReady = new Set([409, 425, 503]);

/**
 * The dataset's profile. GET computes it when missing, so a first visit simply takes longer; if
 * a server ever answers "not ready" the query keeps polling quietly (the skeleton stays).
 */
export function useSummary(datasetId: string) {
  return useQuery({
    queryKey: analyticsKeys.summary(datasetId),
    queryFn: () => getSummary(datasetId),
    retry: (failures, error) => error instanceof ApiError && notReady.has(error.status) && failures < 20,
    retryDelay: (failures) => Math.min(1_000 * 2 ** failures, 5_000),
    staleTime: 60_000,
  });
}

export function useRunCorrelations() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CorrelationRequest) => runCorrelations(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.reports() }),
  });
}

export function useRunCohorts() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CohortRequest) => runCohorts(body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.reports() }),
  });
}

export function useReports(query: Partial<ReportListQuery>, enabled = true) {
  return useQuery({ queryKey: analyticsKeys.reportList(query), queryFn: () => listReports(query), enabled });
}

export function useReport(id: string | undefined) {
  return useQuery({
    queryKey: analyticsKeys.report(id ?? 'none'),
    queryFn: () => getReport(id!),
    enabled: Boolean(id),
    staleTime: Number.POSITIVE_INFINITY, // a stored report never changes
  });
}

/** The newest stored report of a kind for a dataset, so a revisit shows the last result. */
export function useLatestReport<K extends Report['kind']>(datasetId: string, kind: K) {
  const list = useReports({ datasetId, limit: 20 });
  const latest = list.data?.items.find((r) => r.kind === kind);
  const report = useReport(latest?.id);
  const data = report.data?.kind === kind ? (report.data as Extract<Report, { kind: K }>) : undefined;
  return { data, isLoading: list.isLoading || report.isLoading };
}
