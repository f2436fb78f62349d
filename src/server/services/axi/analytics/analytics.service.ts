import { randomUUID } from 'node:crypto';
import type {
  Cohort,
  CohortRequest,
  CohortResult,
  CorrelationPair,
  CorrelationRequest,
  CorrelationResult,
  DatasetProfile,
  Report,
  ReportList,
  ReportListQuery,
} from '../../../../contracts/axi/analytics.js';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import { cohortCalculated, correlationCalculated } from '../../../../contracts/events/axi.events.js';
import type { FieldError } from '../../../../contracts/http/problem.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { type RequestContext, requireActor, requireScope } from '../../../platform/http/request-context.js';
import type { DatasetRecord } from '../datasets/dataset-record.js';
import { InvalidAnalysisColumn, ReportNotFound, TooManyCohorts } from './analytics.errors.js';
import { retentionCells } from './cohorts.repository.js';
import { isNumeric, isTemporal } from './column-kinds.js';
import { correlate, type RawCorrelations } from './correlations.repository.js';
import { findProfile, profileDataset, saveProfile } from './profile.repository.js';
import { findReport, insertReport, listReports } from './reports.repository.js';
import { benjaminiHochberg, correlationPValue, fisherInterval } from './stats.js';

export interface DatasetAccess {
  /** The dataset if the caller may read it (owner or admin), else throws NotFound. */
  findReadable(ctx: RequestContext, id: string): Promise<DatasetRecord>;
}

export const MAX_COHORTS = 400;

function columnNamed(dataset: DatasetRecord, name: string): DatasetColumn | undefined {
  return dataset.columns.find((c) => c.name === name);
}

function correlationColumns(dataset: DatasetRecord, requested: string[] | undefined): string[] {
  if (!requested) {
    const numeric = dataset.columns.filter((c) => isNumeric(c.type)).map((c) => c.name);
    if (numeric.length < 2)
      throw new InvalidAnalysisColumn([
        {
          field: 'body.columns',
          message: `the dataset has ${numeric.length} numeric column(s); at least 2 are needed`,
        },
      ]);
    return numeric;
  }
  const errors: FieldError[] = [];
  requested.forEach((name, i) => {
    const column = columnNamed(dataset, name);
    if (!column) errors.push({ field: `body.columns.${i}`, message: `column "${name}" does not exist` });
    else if (!isNumeric(column.type))
      errors.push({ field: `body.columns.${i}`, message: `column "${name}" is ${column.type}, not numeric` });
    else if (requested.indexOf(name) !== i)
      errors.push({ field: `body.columns.${i}`, message: `column "${name}" is listed twice` });
  });
  if (errors.length > 0) throw new InvalidAnalysisColumn(errors);
  return requested;
}

/** Turns the SQL figures into the matrix with p-values, intervals and FDR-adjusted p-values. */
export function correlationResult(
  method: CorrelationRequest['method'],
  columns: string[],
  raw: RawCorrelations,
): CorrelationResult {
  const pairs = raw.pairs.map((p): CorrelationPair => {
    let reason: string | undefined;
    if (p.r === null) {
      if (p.n < 2) reason = `only ${p.n} row(s) have both values`;
      else if (p.constant.length > 0)
        reason = `${p.constant.map((c) => `"${c}"`).join(' and ')} ${p.constant.length > 1 ? 'are' : 'is'} constant`;
      else reason = 'a column is constant over the rows where both are present';
    } else if (p.n < 3) reason = 'a p-value needs at least 3 rows with both values';
    else if (p.n < 4) reason = 'a confidence interval needs at least 4 rows with both values';
    return {
      x: p.x,
      y: p.y,
      n: p.n,
      r: p.r,
      pValue: p.r === null ? null : correlationPValue(p.r, p.n),
      pAdjusted: null,
      ci95: p.r === null ? null : fisherInterval(p.r, p.n, method === 'spearman' ? 1.06 : 1),
      ...(reason ? { reason } : {}),
    };
  });
  const adjusted = benjaminiHochberg(pairs.map((p) => p.pValue));
  pairs.forEach((p, i) => {
    p.pAdjusted = adjusted[i]!;
  });
  const index = new Map(columns.map((c, i) => [c, i]));
  const matrix = columns.map(() => columns.map(() => null as number | null));
  columns.forEach((c, i) => {
    matrix[i]![i] = raw.varying.has(c) ? 1 : null;
  });
  for (const p of pairs) {
    const i = index.get(p.x)!;
    const j = index.get(p.y)!;
    matrix[i]![j] = p.r;
    matrix[j]![i] = p.r;
  }
  return { method, columns, matrix, pairs };
}

/** Dense cohort rows (every offset up to the data's last period) from the sparse SQL cells. */
export function cohortMatrix(
  rows: Awaited<ReturnType<typeof retentionCells>>,
  withValue: boolean,
): { cohorts: Cohort[]; entities: number; events: number } {
  const cohorts: Cohort[] = [];
  let events = 0;
  let entities = 0;
  let i = 0;
  while (i < rows.length) {
    const first = rows[i]!;
    const cellRows = [];
    while (i < rows.length && rows[i]!.cohort === first.cohort) cellRows.push(rows[i++]!);
    const size = cellRows.find((r) => r.offset === 0)?.active ?? 0;
    const byOffset = new Map(cellRows.map((r) => [r.offset, r]));
    entities += size;
    events += cellRows.reduce((n, r) => n + r.events, 0);
    cohorts.push({
      cohort: first.cohort,
      size,
      cells: Array.from({ length: first.lastOffset + 1 }, (_, offset) => {
        const cell = byOffset.get(offset);
        const active = cell?.active ?? 0;
        return {
          offset,
          active,
          rate: size > 0 ? active / size : 0,
          ...(withValue ? { value: cell?.value ?? 0 } : {}),
        };
      }),
    });
  }
  return { cohorts, entities, events };
}

function cohortColumns(dataset: DatasetRecord, input: CohortRequest) {
  const errors: FieldError[] = [];
  const entity = columnNamed(dataset, input.entityColumn);
  const time = columnNamed(dataset, input.timeColumn);
  const value = input.valueColumn === undefined ? undefined : columnNamed(dataset, input.valueColumn);
  if (!entity)
    errors.push({ field: 'body.entityColumn', message: `column "${input.entityColumn}" does not exist` });
  if (!time)
    errors.push({ field: 'body.timeColumn', message: `column "${input.timeColumn}" does not exist` });
  else if (!isTemporal(time.type))
    errors.push({
      field: 'body.timeColumn',
      message: `column "${input.timeColumn}" is ${time.type}, not a date or timestamp`,
    });
  if (input.valueColumn !== undefined) {
    if (!value)
      errors.push({ field: 'body.valueColumn', message: `column "${input.valueColumn}" does not exist` });
    else if (!isNumeric(value.type))
      errors.push({
        field: 'body.valueColumn',
        message: `column "${input.valueColumn}" is ${value.type}, not numeric`,
      });
  }
  if (errors.length > 0) throw new InvalidAnalysisColumn(errors);
  return { entity: entity!, time: time!, value };
}

/** Profiles, correlations, cohorts and the stored reports of a caller. */
export function createAnalyticsService({
  db,
  outbox,
  clock,
  datasets,
}: {
  db: Db;
  outbox: Outbox;
  clock: () => Date;
  datasets: DatasetAccess;
}) {
  async function computeProfile(on: Db, dataset: DatasetRecord): Promise<DatasetProfile> {
    const profile = await profileDataset(on, dataset, clock());
    await saveProfile(on, profile);
    return profile;
  }

  async function store(ctx: RequestContext, report: Report, event: Parameters<Outbox['add']>[1]) {
    await db.transaction().execute(async (tx) => {
      await insertReport(tx, report);
      await outbox.add(tx, event);
    });
    ctx.log.info({ reportId: report.id, kind: report.kind, datasetId: report.datasetId }, 'analysis stored');
  }

  return {
    computeProfile,

    /** The stored profile; computed and stored on first request when ingest did not. */
    async summary(ctx: RequestContext, datasetId: string): Promise<DatasetProfile> {
      requireActor(ctx);
      const dataset = await datasets.findReadable(ctx, datasetId);
      return (await findProfile(db, dataset.id)) ?? computeProfile(db, dataset);
    },

    async correlations(
      ctx: RequestContext,
      input: CorrelationRequest,
    ): Promise<Report & { kind: 'correlation' }> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      const dataset = await datasets.findReadable(ctx, input.datasetId);
      const columns = correlationColumns(dataset, input.columns);
      const result = correlationResult(
        input.method,
        columns,
        await correlate(db, dataset, columns, input.method),
      );
      const report = newReport('correlation' as const, actor.id, dataset.id, input, result, clock());
      await store(
        ctx,
        report,
        createEvent(
          correlationCalculated,
          ctx,
          { reportId: report.id, datasetId: dataset.id, ownerId: actor.id, method: input.method, columns },
          reportEventOptions(report),
        ),
      );
      return report;
    },

    async cohorts(ctx: RequestContext, input: CohortRequest): Promise<Report & { kind: 'cohort' }> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      const dataset = await datasets.findReadable(ctx, input.datasetId);
      const { entity, time, value } = cohortColumns(dataset, input);
      const rows = await retentionCells(db, dataset, { entity, time, value, period: input.period });
      const matrix = cohortMatrix(rows, value !== undefined);
      if (matrix.cohorts.length > MAX_COHORTS) throw new TooManyCohorts(matrix.cohorts.length, MAX_COHORTS);
      const result: CohortResult = {
        period: input.period,
        entityColumn: entity.name,
        timeColumn: time.name,
        valueColumn: value?.name ?? null,
        ...matrix,
      };
      const report = newReport('cohort' as const, actor.id, dataset.id, input, result, clock());
      await store(
        ctx,
        report,
        createEvent(
          cohortCalculated,
          ctx,
          {
            reportId: report.id,
            datasetId: dataset.id,
            ownerId: actor.id,
            period: input.period,
            cohorts: result.cohorts.length,
          },
          reportEventOptions(report),
        ),
      );
      return report;
    },

    async listReports(ctx: RequestContext, query: ReportListQuery): Promise<ReportList> {
      const actor = requireScope(ctx, 'datasets:read');
      const page = await listReports(db, actor.id, query);
      return { ...page, limit: query.limit, offset: query.offset };
    },

    /** A report of the caller (admins may read any); others' reports are simply not found. */
    async getReport(ctx: RequestContext, id: string): Promise<Report> {
      const actor = requireScope(ctx, 'datasets:read');
      const report = await findReport(db, id);
      if (!report || (report.ownerId !== actor.id && !actor.roles.includes('admin')))
        throw new ReportNotFound(id);
      return report;
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

/** A stored analysis as the API shows it: who ran what on which dataset, and when. */
function newReport<K extends string, P, R>(
  kind: K,
  ownerId: string,
  datasetId: string,
  params: P,
  result: R,
  now: Date,
) {
  return { id: randomUUID(), kind, ownerId, datasetId, params, result, createdAt: now.toISOString() };
}

/** One event per report, however often the outbox relays it. */
function reportEventOptions(report: { id: string; createdAt: string }) {
  return { idempotencyKey: `report:${report.id}`, occurredAt: new Date(report.createdAt) };
}
