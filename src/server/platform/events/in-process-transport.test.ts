import { describe, expect, it } from 'vitest';
import { anEvent } from '../../../../test/support/events.js';
import { createInProcessTransport } from './in-process-transport.js';

// In-process specifics; the behaviour shared with RabbitMQ is in event-transport.contract.test.ts.

describe('createInProcessTransport', () => {
  it('rejects publish naming each consumer that failed, after delivering to all the others', async () => {
    const transport = createInProcessTransport();
    const delivered: string[] = [];
    await transport.subscribe({
      consumer: 'notifier',
      patterns: ['#'],
      handler: async () => {
        throw new Error('smtp down');
      },
    });
    await transport.subscribe({
      consumer: 'event-store',
      patterns: ['#'],
      handler: async () => {
        delivered.push('event-store');
      },
    });
    await transport.subscribe({
      consumer: 'reports',
      patterns: ['visit.*'],
      handler: async () => {
        throw new Error('disk full');
      },
    });

    const error = await transport.publish(anEvent()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toMatch(/not handled by: notifier, reports$/);
    expect((error as AggregateError).errors.map((e: Error) => (e.cause as Error).message)).toEqual([
      'smtp down',
      'disk full',
    ]);
    expect(delivered).toEqual(['event-store']);
  });

  it('gives each consumer its own copy, so one cannot change what the next one sees', async () => {
    const transport = createInProcessTransport();
    const seen: unknown[] = [];
    await transport.subscribe({
      consumer: 'vandal',
      patterns: ['#'],
      handler: async (event) => {
        (event.payload as { path: string }).path = '/changed';
      },
    });
    await transport.subscribe({
      consumer: 'reader',
      patterns: ['#'],
      handler: async (event) => {
        seen.push(event.payload);
      },
    });
    const event = anEvent();

    await transport.publish(event);

    expect(seen).toEqual([{ path: '/cv' }]);
    expect(event.payload).toEqual({ path: '/cv' });
  });

  it('resolves publish when no consumer matches', async () => {
    const transport = createInProcessTransport();
    await transport.subscribe({ consumer: 'datasets', patterns: ['dataset.*'], handler: async () => {} });
    await expect(transport.publish(anEvent('visit.tracked'))).resolves.toBeUndefined();
  });

  it('lets a running delivery finish on close() and refuses new ones', async () => {
    const transport = createInProcessTransport();
    let release: () => void = () => {};
    const finished: string[] = [];
    await transport.subscribe({
      consumer: 'slow',
      patterns: ['#'],
      handler: async (event) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished.push(event.id);
      },
    });
    const event = anEvent();
    const publishing = transport.publish(event);

    const closing = transport.close();
    await expect(transport.publish(anEvent())).rejects.toThrow('closed');
    release();

    await publishing;
    await closing;
    expect(finished).toEqual([event.id]);
  });
});
