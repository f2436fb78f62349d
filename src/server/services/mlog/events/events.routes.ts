import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Problem } from '../../../../contracts/http/problem.js';
import { IngestJsonBody, IngestResult, MAX_BATCH_EVENTS } from '../../../../contracts/mlog/events.js';
import type { EventsService } from './events.service.js';

const tags = ['mlog: ingest'];
const security = [{ bearerAuth: [] }];
const ndjsonTypes = ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'];
const errorResponses = { 400: Problem, 401: Problem, 403: Problem, 413: Problem, 503: Problem };

/** 202 when every event was stored; 200 with the counts and the reasons when some were rejected. */
function sendResult(reply: FastifyReply, result: IngestResult) {
  return reply.status(result.rejected === 0 ? 202 : 200).send(result);
}

function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  return controller.signal;
}

export const eventsRoutes: FastifyPluginAsyncZod<{
  events: EventsService;
  batchBodyLimitBytes: number;
}> = async (app, { events, batchBodyLimitBytes }) => {
  // The batch body stays a stream: it is parsed line by line while it is stored.
  app.addContentTypeParser(ndjsonTypes, (_request, payload, done) => done(null, payload));

  app.post(
    '/events',
    {
      schema: {
        tags,
        security,
        summary: 'Record one audit event or an array of up to 1,000',
        description:
          'Each event is checked on its own: valid ones are stored, invalid ones reported by index. ' +
          '202 when all were stored, 200 when some were rejected. Also accepts an `X-API-Key` with scope audit:write.',
        body: IngestJsonBody,
        response: { 200: IngestResult, 202: IngestResult, ...errorResponses },
      },
    },
    async (request, reply) => sendResult(reply, await events.ingestJson(request.ctx, request.body)),
  );

  app.post(
    '/events/batch',
    {
      bodyLimit: batchBodyLimitBytes,
      schema: {
        tags,
        security,
        summary: `Record up to ${MAX_BATCH_EVENTS.toLocaleString('en')} audit events sent as NDJSON`,
        description:
          'Content type application/x-ndjson, one JSON event per line; streamed and stored as it arrives, ' +
          'all in one transaction. Invalid lines are reported by 0-based line number. More events than ' +
          'the limit: 413 and nothing stored.',
        response: { 200: IngestResult, 202: IngestResult, 415: Problem, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body as Readable;
      try {
        return sendResult(reply, await events.ingestNdjson(request.ctx, body, abortOnDisconnect(reply)));
      } catch (err) {
        // A body we stopped reading: the client would keep sending and never see the answer.
        if (!body.readableEnded) reply.header('connection', 'close');
        throw err;
      }
    },
  );
};
