import type { z } from 'zod';
import { insightGenerated, nl2sqlExecuted } from './aide.events.js';
import { cohortCalculated, correlationCalculated, datasetDeleted, datasetUploaded } from './axi.events.js';
import type { EventDefinition } from './envelope.js';
import { auditAnomalyDetected } from './mlog.events.js';
import { visitTracked } from './portfolio.events.js';

export * from './envelope.js';
export {
  auditAnomalyDetected,
  cohortCalculated,
  correlationCalculated,
  datasetDeleted,
  datasetUploaded,
  insightGenerated,
  nl2sqlExecuted,
  visitTracked,
};

/** The event catalogue: every event the platform publishes, by type and version. */
export const eventCatalogue = [
  datasetUploaded,
  datasetDeleted,
  correlationCalculated,
  cohortCalculated,
  nl2sqlExecuted,
  insightGenerated,
  auditAnomalyDetected,
  visitTracked,
] as const satisfies readonly EventDefinition<string, z.ZodType>[];

export function findEventDefinition(type: string, version: number) {
  return eventCatalogue.find((d) => d.type === type && d.version === version);
}
