import { setTimeout as sleep } from 'node:timers/promises';
import { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect } from 'amqplib';
import type { Logger } from 'pino';
import { EventEnvelope } from '../../../contracts/events/index.js';
import { assertValidSubscription } from './in-process-transport.js';
import type { EventTransport, Subscription } from './transport.js';

export interface AmqpTransportOptions {
  /** `amqp://user:pass@host:5672/vhost`; a `heartbeat` query parameter overrides `heartbeatSeconds`. */
  url: string;
  /** The durable topic exchange events are published to; queues and the DLX are named after it. */
  exchange: string;
  log: Logger;
  /** Unacknowledged deliveries per consumer, i.e. how many handlers run at once per consumer. */
  prefetch?: number;
  /** Deliveries of one message before the quorum queue dead-letters it (`x-delivery-limit`). */
  deliveryLimit?: number;
  /** Bound on opening a connection and on each setup step (channel, declarations, check). */
  connectTimeoutMs?: number;
  /** Bound on waiting for the broker's publisher confirm. */
  confirmTimeoutMs?: number;
  /** Pause after a failed handler before the message goes back to the queue. */
  retryDelayMs?: number;
  /** First and largest pause between attempts to re-establish consumers after a lost connection. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Dead-peer detection; RabbitMQ's own default (60 s) leaves a silent link unnoticed for minutes. */
  heartbeatSeconds?: number;
}

interface PublisherLink {
  connection: ChannelModel;
  channel: ConfirmChannel;
  /** Set while the broker blocks publishing (memory or disk alarm): confirms would never come. */
  blockedReason: string | undefined;
  dead: boolean;
}

interface ConsumerEntry {
  subscription: Subscription;
  channel: Channel | undefined;
  consumerTag: string | undefined;
  starting: Promise<void> | undefined;
  /** Handlers running now; close() lets them finish so their acks reach the broker. */
  handling: Set<Promise<void>>;
}

const CLOSE_GRACE_MS = 5_000;

/**
 * RabbitMQ transport. Publishing uses a confirm channel on its own connection, so `publish`
 * resolves only when the broker has taken responsibility for the message; consumers share a
 * second connection (a publisher throttled by a resource alarm must not stop consumers from
 * acknowledging), one channel each, on a quorum queue per consumer with a delivery limit and a
 * dead-letter queue.
 *
 * Nothing reconnects in the background for publishing: the next `publish` or `check` opens a new
 * connection, and the outbox relay's retries provide the backoff. Consumers are different, since
 * nobody calls into them: a lost connection starts a backoff loop that re-establishes every
 * subscription until it succeeds or `close()` is called.
 */
export function createAmqpTransport({
  url,
  exchange,
  log,
  prefetch = 16,
  deliveryLimit = 5,
  connectTimeoutMs = 5_000,
  confirmTimeoutMs = 10_000,
  retryDelayMs = 1_000,
  reconnectDelayMs = 500,
  maxReconnectDelayMs = 30_000,
  heartbeatSeconds = 15,
}: AmqpTransportOptions): EventTransport {
  const connectUrl = withDefaultHeartbeat(url, heartbeatSeconds);
  const where = redactUrl(url);
  const deadLetterExchange = `${exchange}.dlx`;
  const entries = new Map<string, ConsumerEntry>();
  const shutdown = new AbortController();

  let publisher: PublisherLink | undefined;
  let publisherOpening: Promise<PublisherLink> | undefined;
  let consumerConnection: ChannelModel | undefined;
  let consumerConnectionOpening: Promise<ChannelModel> | undefined;
  let recovery: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const isClosed = () => shutdown.signal.aborted;
  const closedError = () => new Error(`AMQP event transport for exchange ${exchange} is closed`);

  async function openConnection(role: 'publisher' | 'consumer'): Promise<ChannelModel> {
    const attempt = connect(connectUrl, {
      // amqplib's own socket timeout covers TCP connect and handshake; the race below covers the
      // rest (e.g. a broker that accepts TCP and then says nothing).
      timeout: connectTimeoutMs,
      clientProperties: { connection_name: `${exchange} ${role}` },
    });
    let connection: ChannelModel;
    try {
      connection = await withTimeout(attempt, connectTimeoutMs, 'the connection to open');
    } catch (error) {
      // A connection that completes after we gave up would otherwise leak.
      attempt.then(
        (late) => {
          late.on('error', () => {});
          void closeConnection(late, connectTimeoutMs);
        },
        () => {},
      );
      throw new Error(`RabbitMQ unreachable at ${where}: ${describeError(error)}`, { cause: error });
    }
    // At once: amqplib emits 'error' (before 'close') when the socket or the broker fails, and an
    // EventEmitter 'error' without a listener would crash the process.
    connection.on('error', (error: Error) =>
      log.warn({ err: error, exchange, role }, 'AMQP connection error'),
    );
    return connection;
  }

  // ---- publishing -------------------------------------------------------------------------

  function getPublisher(): Promise<PublisherLink> {
    if (isClosed()) return Promise.reject(closedError());
    if (publisher && !publisher.dead) return Promise.resolve(publisher);
    publisherOpening ??= openPublisher().finally(() => {
      publisherOpening = undefined;
    });
    return publisherOpening;
  }

  function dropPublisher(link: PublisherLink, reason: string, error?: unknown): void {
    if (link.dead) return;
    link.dead = true;
    if (publisher === link) publisher = undefined;
    if (!isClosed()) log.warn({ err: error, exchange }, `AMQP publisher ${reason}; next publish reconnects`);
    void closeConnection(link.connection, connectTimeoutMs);
  }

  async function openPublisher(): Promise<PublisherLink> {
    const connection = await openConnection('publisher');
    try {
      const channel = await withTimeout(connection.createConfirmChannel(), connectTimeoutMs, 'channel open');
      const link: PublisherLink = { connection, channel, blockedReason: undefined, dead: false };
      connection.on('close', (error?: Error) => dropPublisher(link, 'connection closed', error));
      connection.on('blocked', (reason: string) => {
        link.blockedReason = reason || 'resource alarm';
        log.warn({ exchange, reason }, 'RabbitMQ blocked publishing');
      });
      connection.on('unblocked', () => {
        link.blockedReason = undefined;
        log.info({ exchange }, 'RabbitMQ unblocked publishing');
      });
      // Same for channels: the broker closing one (e.g. a failed declare) emits 'error'.
      channel.on('error', (error: Error) =>
        log.warn({ err: error, exchange }, 'AMQP publisher channel error'),
      );
      channel.on('close', () => dropPublisher(link, 'channel closed'));
      // Published with `mandatory`, so an event no queue is bound for comes back here instead of
      // vanishing silently. It is still confirmed: having no consumer is not a publishing failure.
      channel.on('return', (message: ConsumeMessage) =>
        log.warn(
          { exchange, eventType: message.fields.routingKey, eventId: message.properties.messageId },
          'event not routed to any queue (no consumer subscribed to it yet)',
        ),
      );
      await withTimeout(
        channel.assertExchange(exchange, 'topic', { durable: true }),
        connectTimeoutMs,
        'exchange declare',
      );
      if (isClosed() || link.dead)
        throw isClosed() ? closedError() : new Error('connection lost during setup');
      publisher = link;
      return link;
    } catch (error) {
      void closeConnection(connection, connectTimeoutMs);
      throw error;
    }
  }

  function publishConfirmed(link: PublisherLink, event: EventEnvelope): Promise<void> {
    const body = Buffer.from(JSON.stringify(event));
    return new Promise<void>((resolve, reject) => {
      // The boolean result only reports socket backpressure; waiting for the confirm below already
      // paces the (serial) relay, so it is ignored.
      link.channel.publish(
        exchange,
        event.type,
        body,
        {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: event.id,
          correlationId: event.correlationId,
          type: event.type,
          appId: event.source,
          // AMQP timestamps are whole seconds since the epoch.
          timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
        },
        (error: unknown) => (error ? reject(error) : resolve()),
      );
    });
  }

  // ---- consuming --------------------------------------------------------------------------

  async function getConsumerConnection(): Promise<ChannelModel> {
    if (isClosed()) throw closedError();
    if (consumerConnection) return consumerConnection;
    consumerConnectionOpening ??= (async () => {
      const connection = await openConnection('consumer');
      connection.on('close', (error?: Error) => {
        if (consumerConnection === connection) consumerConnection = undefined;
        if (isClosed()) return;
        log.warn({ err: error, exchange }, 'AMQP consumer connection lost; re-establishing consumers');
        // Each consumer channel also emits 'close' and schedules recovery; scheduling is idempotent.
        scheduleRecovery();
      });
      if (isClosed()) {
        await closeConnection(connection, connectTimeoutMs);
        throw closedError();
      }
      consumerConnection = connection;
      return connection;
    })().finally(() => {
      consumerConnectionOpening = undefined;
    });
    return consumerConnectionOpening;
  }

  function startConsumer(entry: ConsumerEntry): Promise<void> {
    entry.starting ??= establishConsumer(entry).finally(() => {
      entry.starting = undefined;
    });
    return entry.starting;
  }

  async function establishConsumer(entry: ConsumerEntry): Promise<void> {
    const { consumer, patterns } = entry.subscription;
    if (entries.get(consumer) !== entry || entry.channel) return;
    const connection = await getConsumerConnection();
    const channel = await withTimeout(connection.createChannel(), connectTimeoutMs, 'channel open');
    channel.on('error', (error: Error) =>
      log.warn({ err: error, exchange, consumer }, 'AMQP consumer channel error'),
    );
    channel.on('close', () => {
      if (entry.channel !== channel) return;
      entry.channel = undefined;
      entry.consumerTag = undefined;
      if (!isClosed()) scheduleRecovery();
    });
    try {
      const step = <T>(promise: Promise<T>, what: string) =>
        withTimeout(promise, connectTimeoutMs, `${what} for consumer ${consumer}`);
      const queue = `${exchange}.${consumer}`;
      const deadQueue = `${queue}.dead`;
      await step(channel.assertExchange(exchange, 'topic', { durable: true }), 'exchange declare');
      await step(channel.assertExchange(deadLetterExchange, 'direct', { durable: true }), 'DLX declare');
      // Quorum too: dead letters are the events someone has to look at, so they are replicated.
      await step(
        channel.assertQueue(deadQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } }),
        'dead-letter queue declare',
      );
      await step(channel.bindQueue(deadQueue, deadLetterExchange, consumer), 'dead-letter queue bind');
      // These arguments are fixed at creation: redeclaring with different ones fails with
      // PRECONDITION_FAILED, so changing them for an existing queue means a policy or a migration.
      await step(
        channel.assertQueue(queue, {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            // Returns to the queue (nack with requeue) count; past the limit the message is dead-lettered.
            'x-delivery-limit': deliveryLimit,
            'x-dead-letter-exchange': deadLetterExchange,
            'x-dead-letter-routing-key': consumer,
            // Keep a message in this queue until the dead-letter queue confirms it (RabbitMQ >= 3.10;
            // needs reject-publish overflow). The default, at-most-once, can drop it in between.
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
        }),
        'queue declare',
      );
      // Bindings are additive: a pattern removed from the code stays bound until someone unbinds it.
      for (const pattern of patterns) await step(channel.bindQueue(queue, exchange, pattern), 'queue bind');
      await step(channel.prefetch(prefetch), 'prefetch');
      const { consumerTag } = await step(
        channel.consume(queue, (message) => onMessage(entry, channel, message), { noAck: false }),
        'consume',
      );
      if (isClosed() || entries.get(consumer) !== entry) throw closedError();
      entry.channel = channel;
      entry.consumerTag = consumerTag;
      log.info({ exchange, consumer, queue, patterns }, 'AMQP consumer started');
    } catch (error) {
      await withTimeout(channel.close(), connectTimeoutMs, 'channel close').catch(() => {});
      throw error;
    }
  }

  function onMessage(entry: ConsumerEntry, channel: Channel, message: ConsumeMessage | null): void {
    const { consumer } = entry.subscription;
    if (message === null) {
      // The broker cancelled the consumer (queue deleted, or a quorum leader moved away): start over.
      log.warn({ exchange, consumer }, 'AMQP consumer cancelled by the broker');
      channel.close().catch(() => {});
      return;
    }
    const handling = handleDelivery(entry, channel, message);
    entry.handling.add(handling);
    void handling.finally(() => entry.handling.delete(handling));
  }

  async function handleDelivery(entry: ConsumerEntry, channel: Channel, message: ConsumeMessage) {
    const { consumer, handler } = entry.subscription;
    const parsed = decodeEnvelope(message.content);
    if (!parsed.ok) {
      // Redelivering would fail the same way every time: straight to the dead-letter queue.
      log.error(
        { exchange, consumer, messageId: message.properties.messageId, reason: parsed.reason },
        'undecodable event message dead-lettered',
      );
      settle(consumer, () => channel.nack(message, false, false));
      return;
    }
    const event = parsed.event;
    try {
      await handler(event);
      settle(consumer, () => channel.ack(message));
    } catch (error) {
      log.warn(
        {
          err: error,
          exchange,
          consumer,
          eventId: event.id,
          eventType: event.type,
          deliveryCount: message.properties.headers?.['x-delivery-count'] ?? 0,
        },
        'event handler failed; message goes back to the queue',
      );
      // Without a pause a failing handler would burn through the delivery limit in milliseconds,
      // before a briefly unavailable dependency has a chance to come back. On shutdown, requeue now.
      await sleep(retryDelayMs, undefined, { signal: shutdown.signal }).catch(() => {});
      settle(consumer, () => channel.nack(message, false, true));
    }
  }

  function settle(consumer: string, acknowledge: () => void) {
    try {
      acknowledge();
    } catch (error) {
      // The channel closed while the handler ran; the broker requeues the message by itself.
      log.debug({ err: error, exchange, consumer }, 'could not acknowledge: channel already closed');
    }
  }

  function scheduleRecovery(): void {
    if (isClosed() || recovery) return;
    recovery = recoverConsumers().finally(() => {
      recovery = undefined;
      // A channel that closed after the loop's last look would otherwise stay down.
      if ([...entries.values()].some((e) => !e.channel)) scheduleRecovery();
    });
  }

  async function recoverConsumers(): Promise<void> {
    let delayMs = reconnectDelayMs;
    while (!isClosed()) {
      // Pause before every attempt, the first too: right after a drop the broker is usually still
      // gone, and a consumer that keeps being cancelled must not spin. Jittered, so many instances
      // that lost the same broker do not come back in lockstep.
      const waitMs = Math.round(delayMs / 2 + (Math.random() * delayMs) / 2);
      await sleep(waitMs, undefined, { signal: shutdown.signal }).catch(() => {});
      const down = [...entries.values()].filter((e) => !e.channel);
      if (isClosed() || down.length === 0) return;
      try {
        for (const entry of down) await startConsumer(entry);
        log.info(
          { exchange, consumers: down.map((e) => e.subscription.consumer) },
          'AMQP consumers re-established',
        );
        delayMs = reconnectDelayMs;
      } catch (error) {
        log.warn({ err: error, exchange, retryInMs: delayMs }, 'could not re-establish AMQP consumers');
        delayMs = Math.min(delayMs * 2, maxReconnectDelayMs);
      }
    }
  }

  async function closeAll(): Promise<void> {
    shutdown.abort();
    await recovery?.catch(() => {});
    // Openings in flight finish (bounded by connectTimeoutMs) and see the abort, so nothing leaks.
    await Promise.allSettled([publisherOpening, consumerConnectionOpening]);
    const consumers = [...entries.values()];
    await Promise.allSettled(consumers.map((e) => e.starting));
    // Stop deliveries first, then let running handlers ack, then close.
    await Promise.allSettled(
      consumers.map(({ channel, consumerTag }) =>
        channel && consumerTag
          ? withTimeout(channel.cancel(consumerTag), connectTimeoutMs, 'cancel')
          : Promise.resolve(),
      ),
    );
    await withTimeout(
      Promise.allSettled(consumers.flatMap((e) => [...e.handling])),
      CLOSE_GRACE_MS,
      'handlers to finish',
    ).catch((error) =>
      log.warn({ err: error, exchange }, 'closing AMQP transport with handlers still running'),
    );
    await Promise.allSettled(
      consumers.map(
        ({ channel }) => channel && withTimeout(channel.close(), connectTimeoutMs, 'channel close'),
      ),
    );
    entries.clear();
    // Publishes still in flight get their answer rather than a 'channel closed'.
    if (publisher && !publisher.dead) {
      await withTimeout(publisher.channel.waitForConfirms(), confirmTimeoutMs, 'outstanding confirms').catch(
        () => {},
      );
    }
    const connections = [consumerConnection, publisher?.connection];
    consumerConnection = undefined;
    if (publisher) publisher.dead = true;
    publisher = undefined;
    await Promise.all(connections.map((c) => c && closeConnection(c, connectTimeoutMs)));
  }

  return {
    kind: 'amqp',

    async publish(event) {
      const link = await getPublisher();
      if (link.blockedReason) {
        throw new Error(`RabbitMQ at ${where} is blocking publishes (${link.blockedReason})`);
      }
      try {
        await withTimeout(publishConfirmed(link, event), confirmTimeoutMs, 'the publisher confirm');
      } catch (error) {
        // A broker that stops answering is most likely a dead link; start afresh next time.
        if (error instanceof TimeoutError) dropPublisher(link, 'got no confirm in time', error);
        throw new Error(
          `event ${event.type} ${event.id} not confirmed by RabbitMQ at ${where}: ${describeError(error)}`,
          {
            cause: error,
          },
        );
      }
    },

    async subscribe(subscription) {
      if (isClosed()) throw closedError();
      assertValidSubscription(subscription);
      if (entries.has(subscription.consumer)) {
        throw new Error(`consumer ${subscription.consumer} is already subscribed`);
      }
      const entry: ConsumerEntry = {
        subscription,
        channel: undefined,
        consumerTag: undefined,
        starting: undefined,
        handling: new Set(),
      };
      entries.set(subscription.consumer, entry);
      try {
        await startConsumer(entry);
      } catch (error) {
        // The caller learns now (bad URL, conflicting queue arguments...) instead of a retry loop
        // hiding it; only subscriptions that once worked are kept and recovered.
        entries.delete(subscription.consumer);
        throw error;
      }
    },

    async check() {
      const link = await getPublisher();
      if (link.blockedReason) {
        throw new Error(`RabbitMQ at ${where} is blocking publishes (${link.blockedReason})`);
      }
      // A round trip, so a connection that looks open but leads nowhere is caught too.
      try {
        await withTimeout(link.channel.checkExchange(exchange), connectTimeoutMs, 'the broker to answer');
      } catch (error) {
        dropPublisher(link, 'did not answer a check', error);
        throw new Error(`RabbitMQ at ${where} is not answering: ${describeError(error)}`, { cause: error });
      }
    },

    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}

function decodeEnvelope(content: Buffer): { ok: true; event: EventEnvelope } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${describeError(error)}` };
  }
  const result = EventEnvelope.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      reason: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, event: result.data };
}

/**
 * Closes politely; if the broker does not answer, drops the socket so that no socket or heartbeat
 * timer outlives the transport.
 */
async function closeConnection(connection: ChannelModel, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(connection.close(), timeoutMs, 'connection close');
  } catch (error) {
    // Any other failure means the connection is already closed.
    if (!(error instanceof TimeoutError)) return;
    // amqplib has no public abort. Its Connection keeps the socket as `stream`; destroying it with
    // an error (not a bare destroy) runs amqplib's normal socket-failure shutdown, timers included.
    const internals = connection.connection as unknown as { stream?: { destroy(error?: Error): void } };
    internals.stream?.destroy(new Error('AMQP connection abandoned: broker did not answer close'));
  }
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The URL without its password, for messages and logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable AMQP URL)';
  }
}

function withDefaultHeartbeat(url: string, heartbeatSeconds: number): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(heartbeatSeconds));
    return parsed.toString();
  } catch {
    // amqplib reports the malformed URL on connect, which is where the caller looks.
    return url;
  }
}
