import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { databaseTargets } from '../../../../test/support/databases.js';
import { testLogger } from '../../../../test/support/logger.js';
import { defineEvent, type EventEnvelope } from '../../../contracts/events/index.js';
import type { DatabaseHandle } from '../db/database.js';
import { migrateSchema } from '../db/migrate.js';
import { eventTablesMigration } from './event-tables.migration.js';
import { createIdempotentConsumer } from './idempotent-consumer.js';
import { createInProcessTransport } from './in-process-transport.js';
import { createEvent, createOutbox } from './outbox.js';
import { createOutboxRelay } from './outbox-relay.js';

const itemAdded = defineEvent({
  type: 'item.added',
  version: 1,
  source: 'portfolio',
  description: 'test event',
  payload: z.object({ name: z.string() }),
});

const schema = 'portfolio';
const migrations = {
  '0000_create_event_tables': eventTablesMigration(schema),
  '0001_create_items': {
    async up(db: Kysely<unknown>) {
      await db.schema.withSchema(schema).createTable('items').addColumn('name', 'text').execute();
      await db.schema.withSchema(schema).createTable('tally').addColumn('n', 'integer').execute();
    },
  },
};

async function outboxRows(handle: DatabaseHandle) {
  const { rows } = await sql<{ eventId: string; status: string; attempts: number; lastError: string | null }>`
    select event_id, status, attempts, last_error from portfolio.outbox order by seq`.execute(handle.db);
  return rows;
}

describe.each(databaseTargets())('outbox, relay and idempotent consumers on $name', (target) => {
  let handle: DatabaseHandle;
  const outbox = createOutbox(schema);
  const ctx = { correlationId: 'corr-1' };

  beforeAll(async () => {
    handle = await target.open();
    expect(await migrateSchema(handle.db, schema, migrations)).toEqual([
      '0000_create_event_tables',
      '0001_create_items',
    ]);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('applies migrations once: a second run finds nothing to do', async () => {
    expect(await migrateSchema(handle.db, schema, migrations)).toEqual([]);
  });

  it('writes the event with the change, and loses both when the transaction rolls back', async () => {
    await sql`truncate portfolio.outbox, portfolio.items`.execute(handle.db);
    const kept = createEvent(itemAdded, ctx, { name: 'kept' });
    await handle.db.transaction().execute(async (tx) => {
      await tx.insertInto('portfolio.items').values({ name: 'kept' }).execute();
      await outbox.add(tx, kept);
    });
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await tx.insertInto('portfolio.items').values({ name: 'lost' }).execute();
        await outbox.add(tx, createEvent(itemAdded, ctx, { name: 'lost' }));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const rows = await outboxRows(handle);
    expect(rows.map((r) => r.eventId)).toEqual([kept.id]);
    expect(rows[0]!.status).toBe('pending');
    const items = await handle.db.selectFrom('portfolio.items').select('name').execute();
    expect(items).toEqual([{ name: 'kept' }]);
  });

  it('relays pending events in the order they were written and marks them published', async () => {
    await sql`truncate portfolio.outbox`.execute(handle.db);
    const transport = createInProcessTransport({ log: testLogger });
    const received: EventEnvelope[] = [];
    await transport.subscribe({
      consumer: 'test.all',
      patterns: ['item.*'],
      handler: async (e) => void received.push(e),
    });
    const events = ['a', 'b', 'c'].map((name) => createEvent(itemAdded, ctx, { name }));
    for (const e of events) await handle.db.transaction().execute((tx) => outbox.add(tx, e));
    const relay = createOutboxRelay({
      db: handle.db,
      schema,
      transport,
      log: testLogger,
      batchSize: 2,
      pollIntervalMs: 10,
      maxAttempts: 3,
    });

    expect(await relay.runOnce()).toBe(2);
    expect(await relay.runOnce()).toBe(1);
    expect(await relay.runOnce()).toBe(0);
    expect(received.map((e) => (e.payload as { name: string }).name)).toEqual(['a', 'b', 'c']);
    expect(received[0]).toMatchObject({
      id: events[0]!.id,
      type: 'item.added',
      source: 'portfolio',
      correlationId: 'corr-1',
    });
    expect((await outboxRows(handle)).every((r) => r.status === 'published')).toBe(true);
  });

  it('keeps an event pending while delivery fails and delivers it once the consumer recovers', async () => {
    await sql`truncate portfolio.outbox, portfolio.tally, portfolio.processed_events`.execute(handle.db);
    const transport = createInProcessTransport({ log: testLogger });
    let failuresLeft = 2;
    const handler = createIdempotentConsumer({
      db: handle.db,
      schema,
      consumer: 'test.tally',
      log: testLogger,
      handle: async (tx) => {
        await tx.insertInto('portfolio.tally').values({ n: 1 }).execute();
        if (failuresLeft-- > 0) throw new Error('downstream hiccup');
      },
    });
    await transport.subscribe({ consumer: 'test.tally', patterns: ['#'], handler });
    const event = createEvent(itemAdded, ctx, { name: 'x' });
    await handle.db.transaction().execute((tx) => outbox.add(tx, event));
    const relay = createOutboxRelay({
      db: handle.db,
      schema,
      transport,
      log: testLogger,
      batchSize: 10,
      pollIntervalMs: 10,
      maxAttempts: 5,
    });

    await expect(relay.runOnce()).rejects.toThrow();
    await expect(relay.runOnce()).rejects.toThrow();
    let [row] = await outboxRows(handle);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row!.lastError).toMatch(/downstream hiccup/);
    expect(await relay.runOnce()).toBe(1);
    [row] = await outboxRows(handle);
    expect(row!.status).toBe('published');
    // The failed attempts rolled back with their handler: exactly one effect.
    const tally = await sql<{ n: number }>`select count(*)::int as n from portfolio.tally`.execute(handle.db);
    expect(tally.rows[0]!.n).toBe(1);
  });

  it('parks an event as dead after the last allowed in-process attempt', async () => {
    await sql`truncate portfolio.outbox`.execute(handle.db);
    const transport = createInProcessTransport({ log: testLogger });
    await transport.subscribe({
      consumer: 'test.broken',
      patterns: ['#'],
      handler: async () => {
        throw new Error('always broken');
      },
    });
    await handle.db
      .transaction()
      .execute((tx) => outbox.add(tx, createEvent(itemAdded, ctx, { name: 'doomed' })));
    const relay = createOutboxRelay({
      db: handle.db,
      schema,
      transport,
      log: testLogger,
      batchSize: 10,
      pollIntervalMs: 10,
      maxAttempts: 2,
    });
    await expect(relay.runOnce()).rejects.toThrow();
    await expect(relay.runOnce()).rejects.toThrow();
    expect(await relay.runOnce()).toBe(0);
    const [row] = await outboxRows(handle);
    expect(row).toMatchObject({ status: 'dead', attempts: 2 });
  });

  it('gives a redelivered event no second effect, even when both deliveries race', async () => {
    await sql`truncate portfolio.tally, portfolio.processed_events`.execute(handle.db);
    const handler = createIdempotentConsumer({
      db: handle.db,
      schema,
      consumer: 'test.once',
      log: testLogger,
      handle: async (tx) => {
        await tx.insertInto('portfolio.tally').values({ n: 1 }).execute();
      },
    });
    const event = createEvent(itemAdded, ctx, { name: 'once' });
    await handler(event);
    await handler(event);
    const other = createEvent(itemAdded, ctx, { name: 'raced' });
    await Promise.all([handler(other), handler(other), handler(other)]);
    const tally = await sql<{ n: number }>`select count(*)::int as n from portfolio.tally`.execute(handle.db);
    expect(tally.rows[0]!.n).toBe(2);
  });

  it('keeps the same event id distinct per consumer', async () => {
    await sql`truncate portfolio.tally, portfolio.processed_events`.execute(handle.db);
    const make = (consumer: string) =>
      createIdempotentConsumer({
        db: handle.db,
        schema,
        consumer,
        log: testLogger,
        handle: async (tx) => {
          await tx.insertInto('portfolio.tally').values({ n: 1 }).execute();
        },
      });
    const event = createEvent(itemAdded, { correlationId: randomUUID() }, { name: 'fan-out' });
    await make('test.a')(event);
    await make('test.b')(event);
    const tally = await sql<{ n: number }>`select count(*)::int as n from portfolio.tally`.execute(handle.db);
    expect(tally.rows[0]!.n).toBe(2);
  });
});
