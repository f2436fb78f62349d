import { z } from 'zod';
import { defineEvent } from './envelope.js';

export const auditAnomalyDetected = defineEvent({
  type: 'audit.anomaly.detected',
  version: 1,
  source: 'mlog',
  description: "A service's per-minute count of an audit action rose far above its trailing baseline.",
  payload: z.object({
    service: z.string(),
    action: z.string(),
    minute: z.iso.datetime({ offset: true }),
    count: z.number().int().nonnegative(),
    baselineMean: z.number(),
    baselineStddev: z.number(),
    zScore: z.number(),
  }),
});
