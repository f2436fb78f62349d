import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ColumnType, type DatasetColumn, sqlTypeOf } from '../../src/contracts/axi/columns.js';
import type { Actor } from '../../src/server/platform/auth/token-verifier.js';
import type { Db } from '../../src/server/platform/db/database.js';
import { migrateSchema } from '../../src/server/platform/db/migrate.js';
import { eventTablesMigration } from '../../src/server/platform/events/event-tables.migration.js';
import { NotFound } from '../../src/server/platform/http/errors.js';
import type { RequestContext } from '../../src/server/platform/http/request-context.js';
import { analyticsMigrations, type DatasetAccess } from '../../src/server/services/axi/analytics/index.js';
import {
  DATA_SCHEMA,
  type DatasetRecord,
  dataTable,
} from '../../src/server/services/axi/datasets/dataset-record.js';
import { datasetsMigrations } from '../../src/server/services/axi/datasets/datasets.migrations.js';
import { testLogger } from './logger.js';

/** Brings the `axi` schema up as the runtime does, for the dataset-related features. */
export async function migrateAxiDatasets(db: Db): Promise<void> {
  await migrateSchema(db, 'axi', {
    '0000_create_event_tables': eventTablesMigration('axi'),
    ...datasetsMigrations,
    ...analyticsMigrations,
  });
}

/** A cell as a test writes it: dates as `YYYY-MM-DD` or Date, timestamps as ISO strings or Date. */
export type Cell = string | number | bigint | boolean | Date | null;

export interface TestColumn {
  name: string;
  type: ColumnType;
  originalName?: string;
}

/** Column metadata as the upload would store it, with evidence that simply agrees with the type. */
export function datasetColumn(column: TestColumn, position: number, nonEmpty = 0, empty = 0): DatasetColumn {
  return {
    name: column.name,
    originalName: column.originalName ?? column.name,
    position,
    type: column.type,
    inferredType: column.type,
    evidence: {
      nonEmpty,
      empty,
      shares: Object.fromEntries(ColumnType.options.map((t) => [t, t === column.type ? 1 : 0])) as Record<
        ColumnType,
        number
      >,
      ambiguousExamples: [],
      blockers: [],
      reason: `every non-empty value parses as ${column.type}`,
    },
  };
}

function toParameter(type: ColumnType, value: Cell): unknown {
  if (value === null) return null;
  if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Stores a dataset the way AXI does (metadata row in `axi.datasets`, rows in a typed table
 * `axi_data.ds_<32 hex>`), without going through the upload. Rows are arrays in column order.
 */
export async function createTestDataset(
  db: Db,
  input: { ownerId?: string; name?: string; columns: TestColumn[]; rows: Cell[][] },
): Promise<DatasetRecord> {
  const id = randomUUID();
  const tableName = `ds_${randomUUID().replaceAll('-', '')}`;
  const columns = input.columns.map((c, i) =>
    datasetColumn(
      c,
      i,
      input.rows.filter((r) => r[i] !== null).length,
      input.rows.filter((r) => r[i] === null).length,
    ),
  );
  const record: DatasetRecord = {
    id,
    ownerId: input.ownerId ?? 'user-1',
    name: input.name ?? 'test dataset',
    originalFilename: `${input.name ?? 'test'}.csv`,
    tableName,
    columns,
    rowCount: input.rows.length,
    rejectedRowCount: 0,
    sizeBytes: 0,
    encoding: 'utf-8',
    delimiter: ',',
    createdAt: new Date(),
  };
  await db.transaction().execute(async (tx) => {
    await sql`create schema if not exists ${sql.id(DATA_SCHEMA)}`.execute(tx);
    const definitions = columns.map((c) => sql`${sql.id(c.name)} ${sql.raw(sqlTypeOf[c.type])}`);
    await sql`create table ${dataTable(record)} (${sql.join(definitions)})`.execute(tx);
    // Postgres allows 65535 bind parameters per statement.
    const perBatch = Math.max(1, Math.floor(30_000 / Math.max(columns.length, 1)));
    for (let start = 0; start < input.rows.length; start += perBatch) {
      const batch = input.rows.slice(start, start + perBatch);
      const values = batch.map(
        (row) =>
          sql`(${sql.join(
            columns.map((c, i) => sql`${toParameter(c.type, row[i] ?? null)}::${sql.raw(sqlTypeOf[c.type])}`),
          )})`,
      );
      await sql`insert into ${dataTable(record)} (${sql.join(columns.map((c) => sql.id(c.name)))}) values ${sql.join(values)}`.execute(
        tx,
      );
    }
    await tx
      .insertInto('axi.datasets')
      .values({
        id,
        ownerId: record.ownerId,
        name: record.name,
        originalFilename: record.originalFilename,
        tableName,
        columns: JSON.stringify(columns),
        rowCount: record.rowCount,
        rejectedRowCount: 0,
        sizeBytes: 0,
        encoding: record.encoding,
        delimiter: record.delimiter,
        createdAt: record.createdAt,
      })
      .execute();
  });
  return record;
}

/** Reads a dataset's metadata back from `axi.datasets` (what the real datasets repository returns). */
export async function loadTestDataset(db: Db, id: string): Promise<DatasetRecord | undefined> {
  const row = await db.selectFrom('axi.datasets').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    ownerId: row.ownerId,
    name: row.name,
    originalFilename: row.originalFilename,
    tableName: row.tableName,
    columns: typeof row.columns === 'string' ? JSON.parse(row.columns) : row.columns,
    rowCount: Number(row.rowCount),
    rejectedRowCount: Number(row.rejectedRowCount),
    sizeBytes: Number(row.sizeBytes),
    encoding: row.encoding,
    delimiter: row.delimiter,
    createdAt: new Date(row.createdAt),
  };
}

/** A small deterministic PRNG (mulberry32), so generated datasets are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Dataset access with the platform's rule (owner or admin, else not found), reading
 * `axi.datasets` directly: for testing features that sit on top of datasets in isolation.
 */
export function testDatasetAccess(db: Db): DatasetAccess {
  return {
    async findReadable(ctx, id) {
      const dataset = await loadTestDataset(db, id);
      const actor = ctx.actor;
      if (!dataset || !actor || (dataset.ownerId !== actor.id && !actor.roles.includes('admin')))
        throw new NotFound(`No dataset ${id}.`);
      return dataset;
    },
  };
}

/** A request context for calling service functions directly, as the routes would. */
export function contextOf(actor: Actor | undefined, correlationId = randomUUID()): RequestContext {
  return { actor, correlationId, log: testLogger };
}
