import { z } from 'zod';
import { defineEvent } from './envelope.js';

export const visitTracked = defineEvent({
  type: 'visit.tracked',
  version: 1,
  source: 'portfolio',
  description: 'A page of the public portfolio site was viewed.',
  payload: z.object({
    visitId: z.uuid(),
    path: z.string(),
    referrerHost: z.string().nullable(),
    visitedAt: z.iso.datetime({ offset: true }),
  }),
});
