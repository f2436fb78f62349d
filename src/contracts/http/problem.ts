import { z } from 'zod';

/** RFC 9457 problem details, as every endpoint of the platform returns them on error. */
export const FieldError = z.object({
  field: z.string().describe('Where the bad value is: `body.email`, `query.limit`, `params.id`'),
  message: z.string(),
});

export const Problem = z.object({
  type: z.string().describe('Stable identifier of the kind of problem, e.g. /problems/validation-error'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  correlationId: z.string(),
  errors: z.array(FieldError).optional(),
});
export type Problem = z.infer<typeof Problem>;
export type FieldError = z.infer<typeof FieldError>;
