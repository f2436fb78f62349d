import { describe, expect, it } from 'vitest';
import { testLogger } from '../../../../../test/support/logger.js';
import { createJobTimer } from './job-timer.js';

describe('job timer', () => {
  it('joins a run in flight instead of starting a second one, then runs again once it is over', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const job = () =>
      new Promise<number>((resolve) => {
        runs += 1;
        release = () => resolve(runs);
      });
    const timer = createJobTimer('test', 60_000, job, testLogger);
    const first = timer.runNow();
    const second = timer.runNow();
    expect(second).toBe(first);
    release();
    expect(await first).toBe(1);
    const third = timer.runNow();
    expect(third).not.toBe(first);
    release();
    expect(await third).toBe(2);
    await timer.stop();
  });
});
