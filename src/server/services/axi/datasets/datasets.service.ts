import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  type ColumnType,
  type DatasetColumn,
  type OverrideType,
  sqlTypeOf,
} from '../../../../contracts/axi/columns.js';
import type {
  Dataset,
  DatasetList,
  DatasetListQuery,
  Preview,
  RowsPage,
  RowsQuery,
  UploadProgress,
} from '../../../../contracts/axi/datasets.js';
import { filterOperators } from '../../../../contracts/axi/datasets.js';
import { datasetDeleted, datasetUploaded } from '../../../../contracts/events/index.js';
import type { AuditClient } from '../../../platform/audit/audit-client.js';
import type { Cache } from '../../../platform/cache/cache.js';
import type { DatabaseHandle, Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { AppError, NotFound, ValidationFailed } from '../../../platform/http/errors.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import { DATA_SCHEMA, type DatasetRecord } from './dataset-record.js';
import {
  deleteDataset,
  findDataset,
  insertDataset,
  insertRejectedRows,
  listDatasets,
  listRejectedRows,
  type RowFilter,
  selectRows,
  streamRows,
} from './datasets.repository.js';
import { analyseCsv, applyTypeOverrides, loadCsv } from './ingest/index.js';
import { createUploadProgress } from './upload-progress.js';

export interface UploadInput {
  body: AsyncIterable<Uint8Array>;
  filename: string | undefined;
  name: string | undefined;
  onError: 'reject' | 'quarantine';
  uploadId: string | undefined;
  overrides: Record<string, OverrideType> | undefined;
  /** Content-Length, when the client sent one (for the progress bar). */
  totalBytes: number | null;
  signal: AbortSignal;
}

export interface DatasetsDeps {
  db: Db;
  database: DatabaseHandle;
  outbox: Outbox;
  cache: Cache;
  clock: () => Date;
  log: Logger;
  /** Optional so the service can be tested alone; the module always passes the platform's client. */
  audit?: AuditClient;
  limits: { maxBytes: number; maxColumns: number };
  /** Computes and stores the profile of a freshly stored dataset (analytics). */
  profile(db: Db, dataset: DatasetRecord): Promise<unknown>;
}

export class UploadInProgress extends AppError {
  constructor(uploadId: string) {
    super('upload-id-in-use', 409, 'Upload id in use', `Upload ${uploadId} is already running or finished.`);
  }
}

export class UploadCancelled extends AppError {
  constructor() {
    super(
      'upload-cancelled',
      400,
      'Upload cancelled',
      'The client closed the connection; nothing was stored.',
    );
  }
}

/** The dataset the caller may read (owner or admin); anyone else is told it does not exist. */
export async function findReadableDataset(db: Db, ctx: RequestContext, id: string): Promise<DatasetRecord> {
  const actor = requireScope(ctx, 'datasets:read');
  const record = await findDataset(db, id);
  if (!record || (record.ownerId !== actor.id && !actor.roles.includes('admin')))
    throw new NotFound(`No dataset ${id}.`);
  return record;
}

export function toDataset(record: DatasetRecord): Dataset {
  const { tableName: _, createdAt, ...rest } = record;
  return { ...rest, createdAt: createdAt.toISOString() };
}

/**
 * Datasets: CSV files stored as typed tables (one per dataset in `axi_data`), their rows, export
 * and the upload's progress. Parsing and typing is the ingest engine's; this is the lifecycle.
 */
export function createDatasetsService(deps: DatasetsDeps) {
  const { db, database, outbox, clock, log, limits } = deps;
  const progress = createUploadProgress({ cache: deps.cache, clock });

  async function readable(ctx: RequestContext, id: string) {
    return findReadableDataset(db, ctx, id);
  }

  return {
    findReadable: readable,

    async preview(
      ctx: RequestContext,
      body: AsyncIterable<Uint8Array>,
      overrides: Record<string, OverrideType> | undefined,
      signal: AbortSignal,
    ): Promise<Preview> {
      requireScope(ctx, 'datasets:write', 'analyst', 'admin');
      const analysis = await analyseCsv(body, { ...limits, signal });
      const columns = overrides ? applyTypeOverrides(analysis.columns, overrides) : analysis.columns;
      return { ...analysis, columns };
    },

    async upload(ctx: RequestContext, input: UploadInput) {
      const actor = requireScope(ctx, 'datasets:write', 'analyst', 'admin');
      const uploadId = input.uploadId ?? randomUUID();
      if (input.uploadId && (await progress.get(actor.id, uploadId))) throw new UploadInProgress(uploadId);
      const tracker = progress.start(actor.id, uploadId, input.totalBytes);
      const spoolPath = join(tmpdir(), `axi-upload-${uploadId}.csv`);
      let toProfile: DatasetRecord | undefined;
      try {
        const started = performance.now();
        const analysis = await analyseCsv(input.body, {
          ...limits,
          spoolPath,
          signal: input.signal,
          onProgress: ({ bytes, rows }) => tracker.update({ bytes, rows }),
        });
        const columns = input.overrides
          ? applyTypeOverrides(analysis.columns, input.overrides)
          : analysis.columns;
        tracker.update({ phase: 'loading', rows: 0, totalRows: analysis.rowCount });
        const analysedAt = performance.now();

        const id = randomUUID();
        const tableName = `ds_${randomBytes(16).toString('hex')}`;
        const record = await database.withCopySession((session) =>
          session.db.transaction().execute(async (tx) => {
            const loaded = await loadCsv(
              session,
              createReadStream(spoolPath, { highWaterMark: 1024 * 1024 }),
              {
                table: `${DATA_SCHEMA}.${tableName}`,
                columns,
                encoding: analysis.encoding,
                delimiter: analysis.delimiter,
                onError: input.onError,
                signal: input.signal,
                onProgress: ({ rows }) => tracker.update({ rows }),
              },
            );
            const stored: DatasetRecord = {
              id,
              ownerId: actor.id,
              name: input.name ?? datasetNameFrom(input.filename),
              originalFilename: input.filename ?? null,
              tableName,
              columns,
              rowCount: loaded.rowCount,
              rejectedRowCount: loaded.rejectedCount,
              sizeBytes: analysis.sizeBytes,
              encoding: analysis.encoding,
              delimiter: analysis.delimiter,
              createdAt: clock(),
            };
            await insertDataset(tx, stored);
            await insertRejectedRows(tx, id, loaded.rejected);
            await outbox.add(
              tx,
              createEvent(
                datasetUploaded,
                ctx,
                {
                  datasetId: id,
                  ownerId: actor.id,
                  name: stored.name,
                  rowCount: stored.rowCount,
                  rejectedRowCount: stored.rejectedRowCount,
                  columns: columns.map((c) => ({ name: c.name, type: c.type })),
                },
                { idempotencyKey: `dataset-uploaded:${id}` },
              ),
            );
            return stored;
          }),
        );
        tracker.update({ phase: 'profiling', rows: record.rowCount, datasetId: record.id });
        toProfile = record;
        log.info(
          {
            datasetId: record.id,
            rows: record.rowCount,
            rejected: record.rejectedRowCount,
            bytes: record.sizeBytes,
            analyseMs: Math.round(analysedAt - started),
            loadMs: Math.round(performance.now() - analysedAt),
          },
          'dataset stored',
        );
        deps.audit?.record(ctx, {
          service: 'axi',
          action: 'upload',
          metadata: {
            datasetId: record.id,
            rows: record.rowCount,
            rejectedRows: record.rejectedRowCount,
            sizeBytes: record.sizeBytes,
          },
        });
        return { uploadId, dataset: toDataset(record), rejectedRowCount: record.rejectedRowCount };
      } catch (err) {
        if (input.signal.aborted && !(err instanceof AppError)) {
          // The client went away (cancel, closed tab): nothing was stored, and nobody is waiting
          // for an answer. Not a server fault.
          await tracker.fail('The upload was cancelled.');
          throw new UploadCancelled();
        }
        await tracker.fail(err instanceof AppError ? err.message : 'The upload failed.');
        throw err;
      } finally {
        await rm(spoolPath, { force: true });
        // The data is queryable now; the profile follows in the background (the summary
        // endpoint computes it itself if asked first). It starts only once this function has
        // nothing left to wait for, so the answer goes out first: PGlite runs each query on
        // this thread and would hold back any I/O callback still pending.
        if (toProfile) {
          const dataset = toProfile;
          setImmediate(() => {
            deps
              .profile(db, dataset)
              .catch((err) => log.error({ err, datasetId: dataset.id }, 'profiling a new dataset failed'))
              .finally(() => tracker.finish(dataset.id));
          });
        }
      }
    },

    async progress(ctx: RequestContext, uploadId: string): Promise<UploadProgress> {
      const actor = requireScope(ctx, 'datasets:read');
      const state = await progress.get(actor.id, uploadId);
      if (!state)
        throw new NotFound(`No upload ${uploadId} of yours is known (progress is kept for an hour).`);
      return state;
    },

    async list(ctx: RequestContext, query: DatasetListQuery): Promise<DatasetList> {
      const actor = requireScope(ctx, 'datasets:read');
      const owner = actor.roles.includes('admin') ? undefined : actor.id;
      const { items, total } = await listDatasets(db, owner, query);
      return {
        items: items.map((r) => {
          const { columns, ...rest } = toDataset(r);
          return { ...rest, columnCount: columns.length };
        }),
        total,
        limit: query.limit,
        offset: query.offset,
      };
    },

    async get(ctx: RequestContext, id: string): Promise<Dataset> {
      return toDataset(await readable(ctx, id));
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      const actor = requireScope(ctx, 'datasets:write', 'analyst', 'admin');
      await db.transaction().execute(async (tx) => {
        const record = await findReadableDataset(tx, ctx, id);
        await deleteDataset(tx, record);
        await outbox.add(
          tx,
          createEvent(
            datasetDeleted,
            ctx,
            { datasetId: id, ownerId: record.ownerId },
            { idempotencyKey: `dataset-deleted:${id}` },
          ),
        );
        log.info({ datasetId: id, by: actor.id }, 'dataset deleted');
      });
      deps.audit?.record(ctx, { service: 'axi', action: 'dataset.deleted', metadata: { datasetId: id } });
    },

    async rows(ctx: RequestContext, id: string, query: RowsQuery): Promise<RowsPage> {
      const record = await readable(ctx, id);
      const filters = parseFilters(record, query.filter);
      const sort = query.sort ? parseSort(record, query.sort) : undefined;
      const page = await selectRows(db, record, { filters, sort, limit: query.limit, offset: query.offset });
      return {
        columns: record.columns.map((c) => ({ name: c.name, originalName: c.originalName, type: c.type })),
        rows: page.rows as RowsPage['rows'],
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },

    async export(ctx: RequestContext, id: string, format: 'csv' | 'json') {
      const record = await readable(ctx, id);
      const base = safeFilename(record.name);
      return format === 'csv'
        ? { contentType: 'text/csv; charset=utf-8', filename: `${base}.csv`, body: csvExport(db, record) }
        : {
            contentType: 'application/json; charset=utf-8',
            filename: `${base}.json`,
            body: jsonExport(db, record),
          };
    },

    async rejectedRows(ctx: RequestContext, id: string) {
      const record = await readable(ctx, id);
      const rows = await listRejectedRows(db, record.id);
      const lines = [
        ['line', 'reason', 'raw'].join(','),
        ...rows.map((r) => csvLine([r.line, r.reason, r.raw])),
      ];
      return {
        filename: `${safeFilename(record.name)}-rejected-rows.csv`,
        body: `${lines.join('\r\n')}\r\n`,
      };
    },
  };
}

export type DatasetsService = ReturnType<typeof createDatasetsService>;

function datasetNameFrom(filename: string | undefined): string {
  const base = (filename ?? '')
    .replace(/^.*[\\/]/, '')
    .replace(/\.(csv|tsv|txt)$/i, '')
    .trim();
  return base.slice(0, 200) || 'Untitled dataset';
}

function safeFilename(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'dataset';
}

function columnByName(record: DatasetRecord, name: string, field: string): DatasetColumn {
  const column =
    record.columns.find((c) => c.name === name) ?? record.columns.find((c) => c.originalName === name);
  if (!column)
    throw new ValidationFailed([
      { field, message: `no column "${name}"; columns are ${record.columns.map((c) => c.name).join(', ')}` },
    ]);
  return column;
}

function parseSort(record: DatasetRecord, sort: string) {
  const descending = sort.startsWith('-');
  return { column: columnByName(record, sort.replace(/^-/, ''), 'query.sort'), descending };
}

const valueChecks: Record<ColumnType, (v: string) => boolean> = {
  integer: (v) => /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 2_147_483_647,
  bigint: (v) => /^[+-]?\d+$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n && BigInt(v) >= -(2n ** 63n),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  boolean: (v) => /^(true|false|t|f|yes|no|y|n|1|0)$/i.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  timestamp: (v) =>
    /^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
  text: () => true,
};

/** `column:operator:value` filters, checked against the dataset before any SQL is built. */
function parseFilters(record: DatasetRecord, raw: string | string[] | undefined) {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > 10)
    throw new ValidationFailed([{ field: 'query.filter', message: 'at most 10 filters' }]);
  return list.map((text, i): RowFilter & { sqlType: string } => {
    const field = `query.filter[${i}]`;
    const match = /^([^:]+):([a-z]+)(?::(.*))?$/s.exec(text);
    if (!match)
      throw new ValidationFailed([{ field, message: 'expected column:operator:value, e.g. price:gt:10' }]);
    const [, name, op, value = ''] = match;
    const column = columnByName(record, name!, field);
    if (!(filterOperators as readonly string[]).includes(op!))
      throw new ValidationFailed([
        { field, message: `unknown operator "${op}"; use ${filterOperators.join(', ')}` },
      ]);
    const operator = op as RowFilter['operator'];
    if (!['null', 'notnull', 'contains'].includes(operator) && !valueChecks[column.type](value))
      throw new ValidationFailed([
        { field, message: `"${value}" is not a valid ${column.type} for "${column.name}"` },
      ]);
    return { column, operator, value, sqlType: sqlTypeOf[column.type] };
  });
}

/** A cell a spreadsheet would run as a formula is prefixed with a quote (CSV injection). */
function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',');
}

async function* csvExport(db: Db, record: DatasetRecord): AsyncGenerator<string> {
  yield `${csvLine(record.columns.map((c) => neutralise(c.originalName)))}\r\n`;
  // Only text cells can hold a formula; numbers, dates and booleans are written as they are
  // (a negative number is not an attack and must stay a number).
  const textual = record.columns.map((c) => c.type === 'text');
  for await (const batch of streamRows(db, record)) {
    let chunk = '';
    for (const row of batch) {
      chunk += `${csvLine(row.map((v, i) => (textual[i] && typeof v === 'string' ? neutralise(v) : v)))}\r\n`;
    }
    yield chunk;
  }
}

async function* jsonExport(db: Db, record: DatasetRecord): AsyncGenerator<string> {
  // Keyed by the headers the user knows; where two headers were the same, by the stored name.
  const names = record.columns.map((c) =>
    record.columns.filter((o) => o.originalName === c.originalName).length > 1 ? c.name : c.originalName,
  );
  yield '[';
  let first = true;
  for await (const batch of streamRows(db, record)) {
    let chunk = '';
    for (const row of batch) {
      const object: Record<string, unknown> = {};
      row.forEach((v, i) => {
        object[names[i]!] = v;
      });
      chunk += `${first ? '' : ','}\n${JSON.stringify(object)}`;
      first = false;
    }
    yield chunk;
  }
  yield '\n]\n';
}
