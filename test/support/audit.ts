import type { AuditDropReason, AuditObserver } from '../../src/server/platform/audit/audit-client.js';

/** An audit observer that adds up what the client reports, as the Prometheus counters would. */
export function countingAuditObserver() {
  const dropped: Partial<Record<AuditDropReason, number>> = {};
  let sent = 0;
  const observer: AuditObserver = {
    onSent: (n) => {
      sent += n;
    },
    onDropped: (reason, n) => {
      dropped[reason] = (dropped[reason] ?? 0) + n;
    },
  };
  return { observer, dropped, sent: () => sent };
}

/** A breaker that never opens unless a test asks for it. */
export const lenientBreaker = {
  errorThresholdPercentage: 100,
  resetTimeoutMs: 60_000,
  volumeThreshold: 1_000,
};
