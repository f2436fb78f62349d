import type { Runtime } from '../../src/server/runtime.js';

/** Requests a runtime's listeners have answered on `route` (a route pattern), from its request histogram. */
export async function requestsAnswered(runtime: Runtime, route: string): Promise<number> {
  const metric = await runtime.metrics.registry.getSingleMetric('http_request_duration_seconds')!.get();
  return metric.values
    .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.route === route)
    .reduce((sum, v) => sum + v.value, 0);
}

/** The value of a counter or gauge of a runtime's registry for exactly these labels (0 when never set). */
export async function metricValue(
  runtime: Runtime,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = runtime.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  const found = values.find((v) => wanted.every(([k, value]) => String(v.labels[k]) === value));
  return found?.value ?? 0;
}
