import type { Migration } from 'kysely';
import { type Kysely, sql } from 'kysely';

/**
 * Tables every service schema gets before its own migrations: the outbox (which is also the
 * service's event store: every event it published, with its delivery status) and the record
 * of events its consumers have processed.
 */
export function eventTablesMigration(schema: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const s = db.schema.withSchema(schema);
      await s
        .createTable('outbox')
        .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
        .addColumn('event_id', 'uuid', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('source_service', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .addColumn('correlation_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().defaultTo('pending').check(sql`status in ('pending', 'published', 'dead')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('available_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_error', 'text')
        .addColumn('published_at', 'timestamptz')
        .execute();
      await s
        .createIndex('outbox_pending_idx')
        .on('outbox')
        .columns(['available_at', 'seq'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await s
        .createTable('processed_events')
        .addColumn('consumer', 'text', (c) => c.notNull())
        .addColumn('event_id', 'uuid', (c) => c.notNull())
        .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('processed_events_pk', ['consumer', 'event_id'])
        .execute();
    },
  };
}
