import type { SqlRefusalReason } from '../../../../contracts/aide/sandbox.js';
import { AppError } from '../../../platform/http/errors.js';

/** The guard refused the SQL before it ran; `reason` is stable, the detail says what and why. */
export class SqlRefused extends AppError {
  constructor(
    readonly reason: SqlRefusalReason,
    detail: string,
  ) {
    super('sql-refused', 422, 'Query refused', detail);
  }
}

/** The query ran past its statement timeout and was cancelled by the server. */
export class SqlTimedOut extends AppError {
  constructor(timeoutMs: number) {
    super(
      'sql-timeout',
      422,
      'Query took too long',
      `The query ran longer than ${timeoutMs} ms and was stopped.`,
    );
  }
}

/**
 * The planner expects the query to be too costly to run. On the embedded database the statement
 * timeout cannot interrupt a running query, so this estimate is what stops an exploding join.
 */
export class SqlTooCostly extends AppError {
  constructor(
    readonly estimatedCost: number,
    maxCost: number,
  ) {
    super(
      'sql-too-costly',
      422,
      'Query too costly',
      `The database estimates the query at ${Math.round(estimatedCost)} cost units (at most ${maxCost}); filter or aggregate more.`,
    );
  }
}

/** The database refused a read the sandbox role may not make (a bypassed guard would land here). */
export class SqlPermissionDenied extends AppError {
  constructor(message: string) {
    super('sql-permission-denied', 422, 'Query not permitted', message);
  }
}

/**
 * The query is valid SQL the sandbox allows, but the database rejected it (missing column,
 * division by zero, bad cast...). The server's message is kept: it is what a repair step needs.
 */
export class SqlFailed extends AppError {
  constructor(
    readonly sqlState: string,
    message: string,
  ) {
    super('sql-failed', 422, 'Query failed', message);
  }
}
