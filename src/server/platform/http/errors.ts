import type { FieldError } from '../../../contracts/http/problem.js';

/**
 * The one error type the platform throws on purpose. `code` is stable (it becomes the
 * problem `type`), `status` the HTTP status. Domain errors subclass it.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly fieldErrors?: FieldError[],
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends AppError {
  constructor(errors: FieldError[], detail = 'The request has invalid fields.') {
    super('validation-error', 400, 'Invalid request', detail, errors);
  }
}

export class Unauthenticated extends AppError {
  constructor(detail = 'A valid bearer token is required.') {
    super('unauthenticated', 401, 'Authentication required', detail);
  }
}

export class Forbidden extends AppError {
  constructor(detail = 'You are not allowed to do this.') {
    super('forbidden', 403, 'Forbidden', detail);
  }
}

export class NotFound extends AppError {
  constructor(detail = 'No such resource.') {
    super('not-found', 404, 'Not found', detail);
  }
}

export class ServiceUnavailable extends AppError {
  constructor(detail: string) {
    super('service-unavailable', 503, 'Service unavailable', detail);
  }
}

/** 429; the problem handler sends `retry-after` from `retryAfterSeconds`. */
export class TooManyRequests extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    detail = `Rate limit exceeded; retry in ${retryAfterSeconds} seconds.`,
  ) {
    super('rate-limited', 429, 'Too many requests', detail);
  }
}
