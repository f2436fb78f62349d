import { z } from 'zod';
import { defineEvent } from './envelope.js';

export const datasetUploaded = defineEvent({
  type: 'dataset.uploaded',
  version: 1,
  source: 'axi',
  description: 'A CSV file was stored as a typed dataset and can be queried.',
  payload: z.object({
    datasetId: z.uuid(),
    ownerId: z.string(),
    name: z.string(),
    rowCount: z.number().int().nonnegative(),
    rejectedRowCount: z.number().int().nonnegative(),
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
  }),
});

export const datasetDeleted = defineEvent({
  type: 'dataset.deleted',
  version: 1,
  source: 'axi',
  description: 'A dataset and its rows were deleted.',
  payload: z.object({ datasetId: z.uuid(), ownerId: z.string() }),
});

export const correlationCalculated = defineEvent({
  type: 'correlation.calculated',
  version: 1,
  source: 'axi',
  description: 'A correlation matrix was computed over a dataset and stored as a report.',
  payload: z.object({
    reportId: z.uuid(),
    datasetId: z.uuid(),
    ownerId: z.string(),
    method: z.enum(['pearson', 'spearman']),
    columns: z.array(z.string()),
  }),
});

export const cohortCalculated = defineEvent({
  type: 'cohort.calculated',
  version: 1,
  source: 'axi',
  description: 'A cohort retention matrix was computed over a dataset and stored as a report.',
  payload: z.object({
    reportId: z.uuid(),
    datasetId: z.uuid(),
    ownerId: z.string(),
    period: z.enum(['day', 'week', 'month']),
    cohorts: z.number().int().nonnegative(),
  }),
});
