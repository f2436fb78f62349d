import type { Logger } from 'pino';

/**
 * Runs a job every `intervalMs` once started, never overlapping itself: a tick that finds the
 * previous run still going is skipped, and `runNow` joins the run in flight instead of starting
 * a second one. Failures are logged; the timer keeps going.
 */
export function createJobTimer<T>(name: string, intervalMs: number, job: () => Promise<T>, log: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<T> | undefined;

  function runNow(): Promise<T> {
    if (!running) {
      running = job().finally(() => {
        running = undefined;
      });
    }
    return running;
  }

  return {
    runNow,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (running) return;
        runNow().catch((err: Error) => log.error({ job: name, err: err.message }, 'mlog job failed'));
      }, intervalMs);
      timer.unref();
    },
    /** Clears the timer and waits for a run in flight to finish. */
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
