import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Channel, type ChannelModel, connect, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { anEvent } from '../../../../test/support/events.js';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { type AmqpTransportOptions, createAmqpTransport } from './amqp-transport.js';
import type { EventTransport } from './transport.js';

const amqpUrl = process.env.TEST_AMQP_URL;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

// AMQP-only behaviour; the shared behaviour is in event-transport.contract.test.ts.
describe.runIf(amqpUrl)('createAmqpTransport against RabbitMQ', () => {
  const url = amqpUrl ?? '';
  let admin: ChannelModel;
  let exchange: string;
  const transports: EventTransport[] = [];
  const queues = new Set<string>();
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    // A connection of its own: what the test inspects must not depend on the transport under test.
    admin = await connect(url);
  });

  afterAll(async () => {
    await admin.close();
  });

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await proxy?.close();
    proxy = undefined;
    const channel = await admin.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    queues.clear();
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(`${exchange}.dlx`);
    await channel.close();
  });

  function start(overrides: Partial<AmqpTransportOptions> = {}): EventTransport {
    exchange ??= `test.${randomUUID()}`;
    const transport = createAmqpTransport({ url, exchange, log, retryDelayMs: 10, ...overrides });
    transports.push(transport);
    return transport;
  }

  function freshExchange() {
    exchange = `test.${randomUUID()}`;
  }

  function consumerQueues(consumer: string) {
    const queue = `${exchange}.${consumer}`;
    queues.add(queue);
    queues.add(`${queue}.dead`);
    return { queue, dead: `${queue}.dead` };
  }

  async function withAdminChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await admin.createChannel();
    try {
      return await use(channel);
    } finally {
      await channel.close();
    }
  }

  async function waitForMessage(queue: string, timeoutMs = 5_000): Promise<GetMessage> {
    return withAdminChannel(async (channel) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const message = await channel.get(queue, { noAck: true });
        if (message) return message;
        await sleep(25);
      }
      throw new Error(`nothing arrived in ${queue} within ${timeoutMs} ms`);
    });
  }

  it('resolves publish only once the broker holds the message, with the envelope as properties', async () => {
    freshExchange();
    const transport = start();
    const probe = `${exchange}.probe`;
    queues.add(probe);
    await withAdminChannel(async (channel) => {
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.assertQueue(probe, { durable: true });
      await channel.bindQueue(probe, exchange, 'visit.*');
    });
    const event = anEvent();

    await transport.publish(event);

    // No waiting: a confirmed persistent message is already in the queue.
    const message = await withAdminChannel((channel) => channel.get(probe, { noAck: true }));
    if (!message) throw new Error('publish resolved before the broker had the message');
    expect(JSON.parse(message.content.toString())).toEqual(event);
    expect(message.fields.routingKey).toBe('visit.tracked');
    expect(message.properties).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: event.id,
      correlationId: event.correlationId,
      type: 'visit.tracked',
      appId: 'portfolio',
      timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
    });
  });

  it('rejects publish when the broker refuses the message (nack)', async () => {
    freshExchange();
    const transport = start();
    const full = `${exchange}.full`;
    queues.add(full);
    await withAdminChannel(async (channel) => {
      await channel.assertExchange(exchange, 'topic', { durable: true });
      // A queue that holds one message and refuses more: RabbitMQ nacks the second publish.
      await channel.assertQueue(full, {
        durable: true,
        arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
      });
      await channel.bindQueue(full, exchange, '#');
    });

    await transport.publish(anEvent());
    await expect(transport.publish(anEvent())).rejects.toThrow(/not confirmed.*nacked/);
    // The channel survives a nack.
    await transport.check();
  });

  it('dead-letters an event whose handler keeps failing once the delivery limit is reached', async () => {
    freshExchange();
    const transport = start({ deliveryLimit: 2 });
    const { queue, dead } = consumerQueues('poisoned');
    let attempts = 0;
    await transport.subscribe({
      consumer: 'poisoned',
      patterns: ['visit.*'],
      handler: async () => {
        attempts++;
        throw new Error('always fails');
      },
    });
    const event = anEvent();

    await transport.publish(event);

    const deadLetter = await waitForMessage(dead);
    expect(JSON.parse(deadLetter.content.toString()).id).toBe(event.id);
    expect(deadLetter.properties.headers?.['x-death']?.[0]).toMatchObject({
      queue,
      reason: 'delivery_limit',
    });
    // First delivery plus `deliveryLimit` redeliveries (RabbitMQ 3.10 counts returns, not deliveries).
    expect(attempts).toBe(3);
    const remaining = await withAdminChannel((channel) => channel.checkQueue(queue));
    expect(remaining.messageCount).toBe(0);
  });

  it('dead-letters a message that is not a valid envelope without calling the handler', async () => {
    freshExchange();
    const transport = start();
    const { dead } = consumerQueues('strict');
    const handler = vi.fn(async () => {});
    await transport.subscribe({ consumer: 'strict', patterns: ['#'], handler });

    await withAdminChannel(async (channel) => {
      channel.publish(exchange, 'visit.tracked', Buffer.from('{"id":"not-a-uuid"}'));
      channel.publish(exchange, 'visit.tracked', Buffer.from('not json'));
    });

    await waitForMessage(dead);
    await waitForMessage(dead);
    expect(handler).not.toHaveBeenCalled();
  });

  it('keeps events published while a consumer was away and delivers them when it returns', async () => {
    freshExchange();
    const { queue } = consumerQueues('store');
    const first = start();
    await first.subscribe({ consumer: 'store', patterns: ['#'], handler: async () => {} });
    await first.close();
    await first.close();
    const afterClose = await withAdminChannel((channel) => channel.checkQueue(queue));
    expect(afterClose.consumerCount).toBe(0);

    const event = anEvent();
    await start().publish(event);

    const received: string[] = [];
    await start().subscribe({
      consumer: 'store',
      patterns: ['#'],
      handler: async (e) => {
        received.push(e.id);
      },
    });
    await vi.waitFor(() => expect(received).toEqual([event.id]), { timeout: 5_000 });
  });

  it('fails fast while the broker is unreachable and recovers by itself when it is back', async () => {
    freshExchange();
    const target = new URL(url);
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5672) });
    const transport = start({
      url: proxy.rewriteUrl(url),
      connectTimeoutMs: 1_000,
      confirmTimeoutMs: 1_000,
      reconnectDelayMs: 50,
      maxReconnectDelayMs: 200,
    });
    consumerQueues('visits');
    const received: string[] = [];
    await transport.subscribe({
      consumer: 'visits',
      patterns: ['visit.*'],
      handler: async (e) => {
        received.push(e.id);
      },
    });
    const before = anEvent();
    await transport.publish(before);
    await vi.waitFor(() => expect(received).toEqual([before.id]), { timeout: 5_000 });

    await proxy.cut();

    const startedAt = performance.now();
    await expect(transport.publish(anEvent())).rejects.toThrow(/RabbitMQ/);
    await expect(transport.check()).rejects.toThrow(/unreachable/);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    // The password never appears in an error message.
    await expect(transport.check()).rejects.toThrow(/guest:\*\*\*@/);
    // Long enough for the consumer recovery loop to fail a few times and back off.
    await sleep(500);

    await proxy.restore();

    const after = anEvent();
    await transport.publish(after);
    await transport.check();
    // `before` may come twice: an ack still in flight when the link was cut is lost, and the broker
    // redelivers (at least once; consumers are idempotent).
    await vi.waitFor(() => expect(new Set(received)).toEqual(new Set([before.id, after.id])), {
      timeout: 5_000,
    });
  });

  it('does not hang when the broker stops answering (silent link)', async () => {
    freshExchange();
    const target = new URL(url);
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5672) });
    const transport = start({
      url: proxy.rewriteUrl(url),
      connectTimeoutMs: 500,
      confirmTimeoutMs: 500,
      reconnectDelayMs: 50,
      maxReconnectDelayMs: 200,
    });
    consumerQueues('visits');
    const received: string[] = [];
    await transport.subscribe({
      consumer: 'visits',
      patterns: ['#'],
      handler: async (e) => {
        received.push(e.id);
      },
    });
    await transport.check();

    await proxy.cut({ mode: 'blackhole' });

    const startedAt = performance.now();
    await expect(transport.publish(anEvent())).rejects.toThrow(
      /timed out after 500 ms waiting for the publisher confirm/,
    );
    await expect(transport.check()).rejects.toThrow(/unreachable/);
    expect(performance.now() - startedAt).toBeLessThan(2_000);

    await proxy.restore();

    const after = anEvent();
    await transport.publish(after);
    await vi.waitFor(() => expect(received).toContain(after.id), { timeout: 5_000 });
  });

  it('rejects check() with a readable message when nothing listens at the URL', async () => {
    freshExchange();
    // A proxy that is closed at once leaves a port nobody listens on.
    const closed = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: 1 });
    const deadUrl = closed.rewriteUrl(url);
    await closed.close();
    const transport = start({ url: deadUrl, connectTimeoutMs: 500 });

    await expect(transport.check()).rejects.toThrow(
      /RabbitMQ unreachable at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+.*ECONNREFUSED/,
    );
    await expect(
      transport.subscribe({ consumer: 'x', patterns: ['#'], handler: async () => {} }),
    ).rejects.toThrow(/unreachable/);
  });
});
