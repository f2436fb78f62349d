import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditObserver } from '../audit/audit-client.js';
import type { DatabaseHandle, DatabaseObserver } from '../db/database.js';
import type { ConsumerObserver } from '../events/idempotent-consumer.js';
import type { RelayObserver } from '../events/outbox-relay.js';

/**
 * The process's Prometheus registry and the platform's instruments. One per process: with
 * several listeners in one process (split mode on one machine) they share it and the
 * `listener` label tells them apart.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['listener', 'method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const queryLatency = new Histogram({
    name: 'query_latency_seconds',
    help: 'Database query latency',
    labelNames: ['database', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const pools = new Map<string, DatabaseHandle>();
  new Gauge({
    name: 'connection_pool_utilization',
    help: 'Share of the database pool in use (0..1)',
    labelNames: ['database'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, handle] of pools) {
        const stats = handle.poolStats();
        if (stats) this.set({ database: name }, (stats.total - stats.idle) / stats.max);
      }
    },
  });
  new Gauge({
    name: 'connection_pool_waiting',
    help: 'Queries waiting for a pooled connection',
    labelNames: ['database'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, handle] of pools) {
        const stats = handle.poolStats();
        if (stats) this.set({ database: name }, stats.waiting);
      }
    },
  });
  const outboxLag = new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest event not yet published',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const outboxPending = new Gauge({
    name: 'outbox_pending_events',
    help: 'Events written to the outbox and not yet published',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Events handed to the transport and confirmed',
    labelNames: ['source', 'type'] as const,
    registers: [registry],
  });
  const publishFailures = new Counter({
    name: 'events_publish_failures_total',
    help: 'Failed attempts to publish an outbox event',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Deliveries handled by consumers, by outcome',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  });
  const auditSent = new Counter({
    name: 'audit_events_sent_total',
    help: 'Audit events this process delivered to MLOG',
    registers: [registry],
  });
  const auditDropped = new Counter({
    name: 'audit_events_dropped_total',
    help: 'Audit events this process gave up on (queue_full, send_failed, circuit_open, no_sink, closed, rejected)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  const database: DatabaseObserver = {
    onQuery: (ms, failed, db) =>
      queryLatency.observe({ database: db, outcome: failed ? 'error' : 'ok' }, ms / 1000),
  };
  const relay: RelayObserver = {
    onPublished: (source, type) => eventsPublished.inc({ source, type }),
    onPublishFailed: (source) => publishFailures.inc({ source }),
    onBacklog: (source, pending, age) => {
      outboxPending.set({ source }, pending);
      outboxLag.set({ source }, age);
    },
  };
  const consumer: ConsumerObserver = {
    onConsumed: (name, outcome) => eventsConsumed.inc({ consumer: name, outcome }),
  };
  const audit: AuditObserver = {
    onSent: (count) => auditSent.inc(count),
    onDropped: (reason, count) => auditDropped.inc({ reason }, count),
  };

  return {
    registry,
    httpDuration,
    observers: { database, relay, consumer, audit },
    watchPool(name: string, handle: DatabaseHandle) {
      pools.set(name, handle);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
