import { type Expression, type SqlBool, sql } from 'kysely';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import type { DatasetListQuery } from '../../../../contracts/axi/datasets.js';
import type { Db } from '../../../platform/db/database.js';
import { type DatasetRecord, dataTable } from './dataset-record.js';

interface DatasetRow {
  id: string;
  ownerId: string;
  name: string;
  originalFilename: string | null;
  tableName: string;
  columns: DatasetColumn[] | string;
  rowCount: string | number;
  rejectedRowCount: string | number;
  sizeBytes: string | number;
  encoding: string;
  delimiter: string;
  createdAt: Date;
}

function toRecord(row: DatasetRow): DatasetRecord {
  return {
    ...row,
    columns: typeof row.columns === 'string' ? JSON.parse(row.columns) : row.columns,
    rowCount: Number(row.rowCount),
    rejectedRowCount: Number(row.rejectedRowCount),
    sizeBytes: Number(row.sizeBytes),
  };
}

export async function insertDataset(db: Db, record: DatasetRecord): Promise<void> {
  await db
    .insertInto('axi.datasets')
    .values({ ...record, columns: JSON.stringify(record.columns) })
    .execute();
}

export async function findDataset(db: Db, id: string): Promise<DatasetRecord | undefined> {
  const row = await db.selectFrom('axi.datasets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row as DatasetRow) : undefined;
}

/** Datasets the owner can see (all of them when `ownerId` is undefined: admins). */
export async function listDatasets(
  db: Db,
  ownerId: string | undefined,
  query: DatasetListQuery,
): Promise<{ items: DatasetRecord[]; total: number }> {
  let base = db.selectFrom('axi.datasets');
  if (ownerId !== undefined) base = base.where('ownerId', '=', ownerId);
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('originalFilename', 'ilike', pattern)]),
    );
  }
  const descending = query.sort.startsWith('-');
  const sortColumn = query.sort.replace(/^-/, '') as 'createdAt' | 'name' | 'rowCount';
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(sortColumn, descending ? 'desc' : 'asc')
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
  ]);
  return { items: (rows as DatasetRow[]).map(toRecord), total: count.total };
}

/** Removes the metadata (rejected rows, profiles and reports go with it) and the row table. */
export async function deleteDataset(db: Db, record: DatasetRecord): Promise<void> {
  await db.deleteFrom('axi.datasets').where('id', '=', record.id).execute();
  await sql`drop table if exists ${dataTable(record)}`.execute(db);
}

export async function insertRejectedRows(
  db: Db,
  datasetId: string,
  rows: { line: number; reason: string; raw: string }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('axi.datasetRejectedRows')
      .values(rows.slice(i, i + 1000).map((r) => ({ datasetId, ...r })))
      .execute();
  }
}

export async function listRejectedRows(
  db: Db,
  datasetId: string,
): Promise<{ line: number; reason: string; raw: string }[]> {
  const rows = await db
    .selectFrom('axi.datasetRejectedRows')
    .select(['line', 'reason', 'raw'])
    .where('datasetId', '=', datasetId)
    .orderBy('line')
    .execute();
  return rows.map((r) => ({ ...r, line: Number(r.line) }));
}

/**
 * The dataset's columns as the API shows them: dates and timestamps rendered as ISO text in SQL,
 * so neither driver turns them into local-time JS Dates.
 */
function selectList(record: DatasetRecord) {
  return sql.join(
    record.columns.map((c, i) => {
      const ref = sql.ref(c.name);
      // Positional aliases: two rendered columns would otherwise share a name like "to_char".
      const alias = sql.raw(`c${i}`);
      if (c.type === 'date') return sql`${ref}::text as ${alias}`;
      if (c.type === 'timestamp')
        return sql`to_char(${ref} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ${alias}`;
      return sql`${ref} as ${alias}`;
    }),
  );
}

export interface RowFilter {
  column: DatasetColumn;
  operator: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'contains' | 'null' | 'notnull';
  value: string;
}

const comparison = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function filterExpression(filter: RowFilter, sqlType: string): Expression<SqlBool> {
  const column = sql.ref(filter.column.name);
  switch (filter.operator) {
    case 'null':
      return sql<SqlBool>`${column} is null`;
    case 'notnull':
      return sql<SqlBool>`${column} is not null`;
    case 'contains': {
      const pattern = `%${filter.value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return sql<SqlBool>`${column}::text ilike ${pattern}`;
    }
    default:
      // The value is a parameter cast to the column's own type, so comparisons are typed
      // (numeric order for numbers, calendar order for dates) and nothing is spliced into SQL.
      return sql<SqlBool>`${column} ${sql.raw(comparison[filter.operator])} cast(${filter.value} as ${sql.raw(sqlType)})`;
  }
}

/** One page of a dataset's rows, filtered and sorted; each row in column order. */
export async function selectRows(
  db: Db,
  record: DatasetRecord,
  options: {
    filters: (RowFilter & { sqlType: string })[];
    sort: { column: DatasetColumn; descending: boolean } | undefined;
    limit: number;
    offset: number;
  },
): Promise<{ rows: unknown[][]; total: number }> {
  const where =
    options.filters.length > 0
      ? sql`where ${sql.join(
          options.filters.map((f) => filterExpression(f, f.sqlType)),
          sql` and `,
        )}`
      : sql``;
  // Without a sort, file order: rows sit in the table in the order COPY wrote them.
  const order = options.sort
    ? sql`order by ${sql.ref(options.sort.column.name)} ${sql.raw(options.sort.descending ? 'desc nulls last' : 'asc nulls last')}, ctid`
    : sql`order by ctid`;
  const columns = selectList(record);
  const table = dataTable(record);
  const page = await sql<
    Record<string, unknown>
  >`select ${columns} from ${table} ${where} ${order} limit ${options.limit} offset ${options.offset}`.execute(
    db,
  );
  const total =
    options.filters.length === 0
      ? record.rowCount
      : (await sql<{ total: number }>`select count(*)::int as total from ${table} ${where}`.execute(db))
          .rows[0]!.total;
  return { rows: page.rows.map((r) => Object.values(r)), total };
}

/**
 * Reads the whole table in file order, a batch at a time (keyset on ctid), so an export of a
 * large dataset never holds it in memory and works on PGlite, which has no cursors.
 */
export async function* streamRows(
  db: Db,
  record: DatasetRecord,
  batchSize = 5_000,
): AsyncGenerator<unknown[][]> {
  const columns = selectList(record);
  const table = dataTable(record);
  let after = '(0,0)';
  for (;;) {
    // ctid goes first so it can be split off by position (result keys are camel-cased).
    const batch = await sql<
      Record<string, unknown>
    >`select ctid::text, ${columns} from ${table} where ctid > ${after}::tid order by ctid limit ${batchSize}`.execute(
      db,
    );
    if (batch.rows.length === 0) return;
    const rows = batch.rows.map((r) => Object.values(r));
    after = String(rows[rows.length - 1]![0]);
    yield rows.map((r) => r.slice(1));
    if (rows.length < batchSize) return;
  }
}
