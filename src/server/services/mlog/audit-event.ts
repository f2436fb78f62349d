/** An audit event as MLOG stores it (one row of `mlog.events`), after validation and upcasting. */
export interface StoredAuditEvent {
  id: string;
  /** When it happened (the sender's clock). */
  ts: Date;
  /** When MLOG received it. */
  receivedAt: Date;
  service: string;
  /** A lowercase dotted name: login, upload, query, error, dataset.deleted... */
  action: string;
  userId: string | null;
  sessionId: string | null;
  correlationId: string | null;
  /** The schema version it arrived in (it is stored upcast to the current one). */
  schemaVersion: number;
  metadata: Record<string, unknown>;
}

/** The table every audit event lands in, partitioned by day on `ts`. */
export const EVENTS_TABLE = 'mlog.events';
