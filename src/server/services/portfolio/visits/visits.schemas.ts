import { z } from 'zod';

export const TrackVisitBody = z.object({
  path: z
    .string()
    .min(1)
    .max(512)
    .regex(/^\/[^\s]*$/, 'must be a site path starting with /'),
  referrer: z.url({ message: 'must be an absolute URL' }).max(2048).optional(),
});
export type TrackVisitBody = z.infer<typeof TrackVisitBody>;

export const TrackedVisit = z.object({ id: z.uuid() });

export const VisitSummaryQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
});

export const VisitSummary = z.object({
  since: z.iso.datetime({ offset: true }),
  total: z.number().int(),
  byPath: z.array(z.object({ path: z.string(), visits: z.number().int() })),
});
export type VisitSummary = z.infer<typeof VisitSummary>;
