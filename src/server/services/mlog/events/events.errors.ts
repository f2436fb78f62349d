import { MAX_BATCH_EVENTS, MAX_JSON_EVENTS } from '../../../../contracts/mlog/events.js';
import { AppError } from '../../../platform/http/errors.js';

export class TooManyEvents extends AppError {
  constructor(kind: 'json' | 'ndjson') {
    super(
      'too-many-events',
      413,
      'Too many events',
      kind === 'json'
        ? `Send at most ${MAX_JSON_EVENTS} events per request here; use /api/mlog/events/batch (NDJSON) for more.`
        : `Send at most ${MAX_BATCH_EVENTS} events per batch; nothing of this batch was stored.`,
    );
  }
}

export class NoEvents extends AppError {
  constructor() {
    super('no-events', 400, 'No events', 'The request holds no event; send at least one.', [
      { field: 'body', message: 'holds no event' },
    ]);
  }
}

export class NotNdjson extends AppError {
  constructor() {
    super(
      'malformed-body',
      400,
      'Malformed request body',
      'No line of the body is JSON; send one JSON event per line (application/x-ndjson).',
    );
  }
}
