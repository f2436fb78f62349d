import {
  CohortReport,
  type CohortRequest,
  CorrelationReport,
  type CorrelationRequest,
  DatasetProfile,
  Report,
  ReportList,
  type ReportListQuery,
} from '../../../contracts/axi/analytics.js';
import { request } from '../../shared/api/http.js';

/** The dataset's profile; the server computes and stores it on first request when ingest did not. */
export function getSummary(datasetId: string) {
  // Profiling a large dataset on first request can take a while.
  return request(DatasetProfile, { url: `/api/v1/datasets/${datasetId}/summary`, timeout: 120_000 });
}

/** Runs a correlation matrix; the server stores it as a report and answers with it. */
export function runCorrelations(body: CorrelationRequest) {
  return request(CorrelationReport, {
    method: 'POST',
    url: '/api/v1/analytics/correlations',
    data: body,
    timeout: 120_000,
  });
}

/** Runs a cohort retention matrix; stored as a report like correlations. */
export function runCohorts(body: CohortRequest) {
  return request(CohortReport, {
    method: 'POST',
    url: '/api/v1/analytics/cohorts',
    data: body,
    timeout: 120_000,
  });
}

export function listReports(query: Partial<ReportListQuery>) {
  return request(ReportList, { url: '/api/v1/analytics/reports', params: query });
}

export function getReport(id: string) {
  return request(Report, { url: `/api/v1/analytics/reports/${id}` });
}
