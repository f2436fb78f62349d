import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  Dataset,
  DatasetId,
  DatasetList,
  DatasetListQuery,
  ExportQuery,
  Preview,
  PreviewQuery,
  RowsPage,
  RowsQuery,
  UploadProgress,
  UploadQuery,
  UploadResult,
} from '../../../../contracts/axi/datasets.js';
import { Problem } from '../../../../contracts/http/problem.js';
import { AppError } from '../../../platform/http/errors.js';
import type { DatasetsService } from './datasets.service.js';

/** Content types a CSV file arrives with when sent raw (browsers label CSV inconsistently). */
const rawCsvTypes = [
  'text/csv',
  'application/csv',
  'text/plain',
  'application/vnd.ms-excel',
  'application/octet-stream',
];

const tags = ['axi: datasets'];
const auth = [{ bearerAuth: [] }];
const uploadDescription =
  'Send the file as `multipart/form-data` (one file part; a `name` field before it is used as the dataset name) ' +
  'or as the raw request body (`text/csv`). The file is streamed: memory does not grow with its size.';

class NoFile extends AppError {
  constructor() {
    super('no-file', 400, 'No file', 'The multipart request has no file part; send the CSV as a file field.');
  }
}

/** The uploaded file as a stream, whichever way it was sent, and the fields that came with it. */
async function uploadedFile(request: FastifyRequest) {
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) throw new NoFile();
    const nameField = part.fields.name;
    const name =
      nameField && !Array.isArray(nameField) && nameField.type === 'field'
        ? String(nameField.value)
        : undefined;
    return { body: part.file as AsyncIterable<Uint8Array>, filename: part.filename || undefined, name };
  }
  const header = request.headers['content-disposition'];
  const filename = header ? /filename="?([^";]+)"?/i.exec(header)?.[1] : undefined;
  return { body: request.body as Readable, filename, name: undefined };
}

/**
 * An upload refused before its body was read to the end (too large, not a CSV) must close the
 * connection: browsers keep sending a body the server no longer reads and never see the answer.
 */
function closeIfBodyUnread(body: AsyncIterable<Uint8Array>, reply: FastifyReply) {
  if (!(body as Readable).readableEnded) reply.header('connection', 'close');
}

/** Aborts when the client goes away before the answer is sent, so the ingest stops and rolls back. */
function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  return controller.signal;
}

export const datasetsRoutes: FastifyPluginAsyncZod<{
  datasets: DatasetsService;
  limits: { maxBytes: number };
}> = async (app, { datasets, limits }) => {
  await app.register(multipart, { limits: { files: 1, fields: 10, fileSize: limits.maxBytes + 1_048_576 } });
  app.addContentTypeParser(rawCsvTypes, (_request, payload, done) => done(null, payload));

  app.post(
    '/datasets/upload',
    {
      bodyLimit: limits.maxBytes,
      schema: {
        tags,
        security: auth,
        summary: 'Upload a CSV file as a typed dataset',
        description: uploadDescription,
        querystring: UploadQuery,
        response: {
          201: UploadResult,
          400: Problem,
          401: Problem,
          403: Problem,
          409: Problem,
          413: Problem,
          422: Problem,
        },
      },
    },
    async (request, reply) => {
      const file = await uploadedFile(request);
      const length = Number(request.headers['content-length']);
      try {
        const result = await datasets.upload(request.ctx, {
          ...file,
          name: request.query.name ?? file.name,
          onError: request.query.on_error,
          uploadId: request.query.upload_id,
          overrides: request.query.overrides,
          totalBytes: Number.isFinite(length) && length > 0 ? length : null,
          signal: abortOnDisconnect(reply),
        });
        return reply.status(201).send(result);
      } catch (err) {
        closeIfBodyUnread(file.body, reply);
        throw err;
      }
    },
  );

  app.post(
    '/datasets/preview',
    {
      bodyLimit: limits.maxBytes,
      schema: {
        tags,
        security: auth,
        summary: 'Detect encoding, delimiter and column types of a CSV file without storing it',
        description: uploadDescription,
        querystring: PreviewQuery,
        response: { 200: Preview, 400: Problem, 401: Problem, 403: Problem, 413: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const file = await uploadedFile(request);
      try {
        return await datasets.preview(
          request.ctx,
          file.body,
          request.query.overrides,
          abortOnDisconnect(reply),
        );
      } catch (err) {
        closeIfBodyUnread(file.body, reply);
        throw err;
      }
    },
  );

  app.get(
    '/datasets/uploads/:uploadId',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Progress of a running upload (bytes received, rows stored)',
        params: z.object({ uploadId: z.uuid() }),
        response: { 200: UploadProgress, 401: Problem, 404: Problem },
      },
    },
    (request) => datasets.progress(request.ctx, request.params.uploadId),
  );

  app.get(
    '/datasets',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Datasets of the caller (all of them for an admin)',
        querystring: DatasetListQuery,
        response: { 200: DatasetList, 400: Problem, 401: Problem },
      },
    },
    (request) => datasets.list(request.ctx, request.query),
  );

  app.get(
    '/datasets/:id',
    {
      schema: {
        tags,
        security: auth,
        summary: 'A dataset: its columns, their types and why',
        params: DatasetId,
        response: { 200: Dataset, 401: Problem, 404: Problem },
      },
    },
    (request) => datasets.get(request.ctx, request.params.id),
  );

  app.delete(
    '/datasets/:id',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Delete a dataset and its rows',
        params: DatasetId,
        response: { 204: z.null(), 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      await datasets.remove(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/datasets/:id/rows',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Rows of a dataset: paginated, sorted, filtered',
        params: DatasetId,
        querystring: RowsQuery,
        response: { 200: RowsPage, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    (request) => datasets.rows(request.ctx, request.params.id, request.query),
  );

  app.get(
    '/datasets/:id/export',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Download a dataset as CSV or JSON (formula-like text cells neutralised in CSV)',
        params: DatasetId,
        querystring: ExportQuery,
        produces: ['text/csv', 'application/json'],
        response: { 200: z.unknown().describe('The file, streamed'), 401: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const file = await datasets.export(request.ctx, request.params.id, request.query.format);
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(Readable.from(file.body));
    },
  );

  app.get(
    '/datasets/:id/rejected-rows',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Rows kept out of the dataset under on_error=quarantine, as CSV (line, reason, raw)',
        description:
          "The first 100,000 rejected rows are kept for this report; the dataset's `rejectedRowCount` counts them all.",
        params: DatasetId,
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV: line, reason, raw'), 401: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const file = await datasets.rejectedRows(request.ctx, request.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );
};
