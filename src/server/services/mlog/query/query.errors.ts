import { AppError, ValidationFailed } from '../../../platform/http/errors.js';

/** A pipeline outside the supported subset; `path` names the stage and the operator or field. */
export class PipelineInvalid extends AppError {
  constructor(path: string, message: string) {
    const detail = message.startsWith('is ') ? `${path} ${message}` : `${path}: ${message}`;
    super('invalid-pipeline', 400, 'Invalid pipeline', detail, [{ field: `body.${path}`, message }]);
  }
}

/** A query parameter that parsed but makes no sense (inverted window, too many buckets, bad cursor). */
export function invalidQuery(field: string, message: string): ValidationFailed {
  return new ValidationFailed([{ field: `query.${field}`, message }], `query.${field}: ${message}`);
}
