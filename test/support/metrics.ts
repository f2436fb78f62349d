import type { Runtime } from '../../src/server/runtime.js';

/** Requests a runtime's listeners have answered on `route` (a route pattern), from its request histogram. */
export async function requestsAnswered(runtime: Runtime, route: string): Promise<number> {
  const metric = await runtime.metrics.registry.getSingleMetric('http_request_duration_seconds')!.get();
  return metric.values
    .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.route === route)
    .reduce((sum, v) => sum + v.value, 0);
}
