/**
 * Analyses run several queries at once on a pooled PostgreSQL; this many at most, so one
 * analysis leaves connections for requests (the smallest pool we configure has 5).
 */
export const QUERY_CONCURRENCY = 3;

/** Runs the tasks with at most `limit` in flight; results in task order. */
export async function limited<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
