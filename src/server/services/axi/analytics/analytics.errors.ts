import type { FieldError } from '../../../../contracts/http/problem.js';
import { AppError, NotFound } from '../../../platform/http/errors.js';

/** A requested column does not exist in the dataset or has the wrong type for the analysis. */
export class InvalidAnalysisColumn extends AppError {
  constructor(errors: FieldError[]) {
    super('invalid-column', 400, 'Invalid column', errors.map((e) => e.message).join('; '), errors);
  }
}

/** The cohort matrix would be too large to be useful; a longer period fixes it. */
export class TooManyCohorts extends AppError {
  constructor(cohorts: number, max: number) {
    super(
      'too-many-cohorts',
      422,
      'Too many cohorts',
      `The data spans ${cohorts} cohorts at this period (at most ${max}); choose a longer period.`,
    );
  }
}

export class ReportNotFound extends NotFound {
  constructor(id: string) {
    super(`No report ${id}.`);
  }
}
