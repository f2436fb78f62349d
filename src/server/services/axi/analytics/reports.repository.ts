import type { Report, ReportSummary } from '../../../../contracts/axi/analytics.js';
import type { Db } from '../../../platform/db/database.js';

interface ReportRow {
  id: string;
  ownerId: string;
  datasetId: string;
  kind: string;
  params: unknown;
  result?: unknown;
  createdAt: Date | string;
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** Rows are written only by insertReport from validated reports, so kind and params agree. */
function toSummary(row: ReportRow): ReportSummary {
  return {
    id: row.id,
    ownerId: row.ownerId,
    datasetId: row.datasetId,
    kind: row.kind,
    params: json(row.params),
    createdAt: new Date(row.createdAt).toISOString(),
  } as ReportSummary;
}

export async function insertReport(db: Db, report: Report): Promise<void> {
  await db
    .insertInto('axi.analysisResults')
    .values({
      id: report.id,
      ownerId: report.ownerId,
      datasetId: report.datasetId,
      kind: report.kind,
      params: JSON.stringify(report.params),
      result: JSON.stringify(report.result),
      createdAt: new Date(report.createdAt),
    })
    .execute();
}

export async function findReport(db: Db, id: string): Promise<Report | undefined> {
  const row = (await db
    .selectFrom('axi.analysisResults')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()) as ReportRow | undefined;
  if (!row) return undefined;
  return { ...toSummary(row), result: json(row.result) } as Report;
}

/** The owner's reports, newest first (id breaks ties so pages never overlap). */
export async function listReports(
  db: Db,
  ownerId: string,
  page: { limit: number; offset: number; datasetId?: string | undefined },
): Promise<{ items: ReportSummary[]; total: number }> {
  let base = db.selectFrom('axi.analysisResults').where('ownerId', '=', ownerId);
  if (page.datasetId) base = base.where('datasetId', '=', page.datasetId);
  const [rows, count] = await Promise.all([
    base
      .select(['id', 'ownerId', 'datasetId', 'kind', 'params', 'createdAt'])
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r: ReportRow) => toSummary(r)), total: Number(count.n) };
}
