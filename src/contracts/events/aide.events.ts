import { z } from 'zod';
import { defineEvent } from './envelope.js';

export const nl2sqlExecuted = defineEvent({
  type: 'nl2sql.executed',
  version: 1,
  source: 'aide',
  description:
    'A natural-language question about a dataset was answered (or not understood); no question text or rows.',
  payload: z.object({
    datasetId: z.uuid(),
    userId: z.string(),
    understood: z.boolean(),
    provider: z.string(),
    rowCount: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
  }),
});

export const insightGenerated = defineEvent({
  type: 'insight.generated',
  version: 1,
  source: 'aide',
  description: 'Insights were computed for a dataset; their kinds and count, not their text or numbers.',
  payload: z.object({
    datasetId: z.uuid(),
    userId: z.string(),
    count: z.number().int().nonnegative(),
    kinds: z.array(z.string()),
  }),
});
