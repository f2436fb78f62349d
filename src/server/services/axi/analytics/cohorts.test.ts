import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Cell,
  contextOf,
  createTestDataset,
  migrateAxiDatasets,
  seededRandom,
  testDatasetAccess,
} from '../../../../../test/support/axi-datasets.js';
import { databaseTargets } from '../../../../../test/support/databases.js';
import type { CohortPeriod, CohortResult } from '../../../../contracts/axi/analytics.js';
import type { DatabaseHandle } from '../../../platform/db/database.js';
import { createOutbox } from '../../../platform/events/outbox.js';
import { createAnalyticsService } from './analytics.service.js';

// ---- the independent computation -----------------------------------------------------------

const DAY_MS = 86_400_000;

/** Start of the UTC period holding `t` (weeks start on Monday), as epoch ms. */
function periodStart(t: number, period: CohortPeriod): number {
  const d = new Date(t);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'day') return day;
  if (period === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function periodsBetween(from: number, to: number, period: CohortPeriod): number {
  if (period === 'day') return Math.round((to - from) / DAY_MS);
  if (period === 'week') return Math.round((to - from) / (7 * DAY_MS));
  const a = new Date(from);
  const b = new Date(to);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
}

function expectedCohorts(
  events: { entity: string; at: number; value: number | null }[],
  period: CohortPeriod,
) {
  const first = new Map<string, number>();
  for (const e of events)
    first.set(e.entity, Math.min(first.get(e.entity) ?? Infinity, periodStart(e.at, period)));
  const last = Math.max(...events.map((e) => periodStart(e.at, period)));
  const cells = new Map<number, Map<number, { entities: Set<string>; value: number }>>();
  for (const e of events) {
    const cohort = first.get(e.entity)!;
    const offset = periodsBetween(cohort, periodStart(e.at, period), period);
    const row = cells.get(cohort) ?? new Map();
    cells.set(cohort, row);
    const cell = row.get(offset) ?? { entities: new Set<string>(), value: 0 };
    row.set(offset, cell);
    cell.entities.add(e.entity);
    cell.value += e.value ?? 0;
  }
  return [...cells.entries()]
    .sort(([a], [b]) => a - b)
    .map(([cohort, row]) => {
      const size = row.get(0)!.entities.size;
      return {
        cohort: new Date(cohort).toISOString().slice(0, 10),
        size,
        cells: Array.from({ length: periodsBetween(cohort, last, period) + 1 }, (_, offset) => {
          const cell = row.get(offset);
          return {
            offset,
            active: cell?.entities.size ?? 0,
            rate: (cell?.entities.size ?? 0) / size,
            value: cell?.value ?? 0,
          };
        }),
      };
    });
}

function generate(seed: number) {
  const random = seededRandom(seed);
  const start = Date.UTC(2024, 0, 1);
  const events: { entity: string; at: number; value: number | null }[] = [];
  for (let u = 0; u < 150; u++) {
    const joined = start + Math.floor(random() * 90 * DAY_MS);
    const visits = 1 + Math.floor(random() * 8);
    for (let v = 0; v < visits; v++) {
      const at = v === 0 ? joined : joined + Math.floor(random() ** 2 * 120 * DAY_MS);
      events.push({ entity: `user-${u}`, at, value: random() < 0.1 ? null : Math.floor(random() * 100) });
    }
  }
  // Rows without an entity or a time take no part.
  const rows: Cell[][] = events.map((e) => [
    e.entity,
    new Date(e.at),
    new Date(e.at).toISOString().slice(0, 10),
    e.value,
  ]);
  rows.push([null, new Date(start), '2024-01-01', 5], ['user-x', null, null, 5]);
  return { events, rows };
}

const columns = [
  { name: 'user_id', type: 'text' as const },
  { name: 'seen_at', type: 'timestamp' as const },
  { name: 'seen_on', type: 'date' as const },
  { name: 'amount', type: 'integer' as const },
];

describe.each(databaseTargets())('cohorts on $name', (target) => {
  let handle: DatabaseHandle;
  const analyst = { id: 'analyst-1', roles: ['analyst' as const] };
  const service = () =>
    createAnalyticsService({
      db: handle.db,
      outbox: createOutbox('axi'),
      clock: () => new Date(),
      datasets: testDatasetAccess(handle.db),
    });

  beforeAll(async () => {
    handle = await target.open();
    await migrateAxiDatasets(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('computes a hand-checked monthly matrix, in UTC, ignoring rows without entity or time', async () => {
    const dataset = await createTestDataset(handle.db, {
      ownerId: analyst.id,
      columns: [
        { name: 'who', type: 'text' },
        { name: 'at', type: 'timestamp' },
        { name: 'spent', type: 'double' },
      ],
      rows: [
        ['u1', '2024-01-05T10:00:00Z', 10],
        ['u1', '2024-01-20T10:00:00Z', 5],
        ['u1', '2024-02-03T10:00:00Z', 1],
        ['u1', '2024-04-10T10:00:00Z', 2],
        ['u2', '2024-01-31T23:30:00-01:00', 7], // 1 February in UTC
        ['u2', '2024-01-31T23:30:00Z', 3],
        ['u2', '2024-03-01T00:00:00Z', null],
        ['u3', '2024-02-14T10:00:00Z', 4],
        ['u3', '2024-02-15T10:00:00Z', 4],
        ['u3', '2024-03-20T10:00:00Z', 1.5],
        ['u4', '2024-04-30T10:00:00Z', 8],
        [null, '2024-01-01T00:00:00Z', 100],
        ['u5', null, 100],
      ],
    });
    const report = await service().cohorts(contextOf(analyst), {
      datasetId: dataset.id,
      entityColumn: 'who',
      timeColumn: 'at',
      period: 'month',
      valueColumn: 'spent',
    });
    const result: CohortResult = report.result;
    expect(result).toMatchObject({ entities: 4, events: 11, valueColumn: 'spent' });
    expect(result.cohorts).toEqual([
      {
        cohort: '2024-01-01',
        size: 2,
        cells: [
          { offset: 0, active: 2, rate: 1, value: 18 },
          { offset: 1, active: 2, rate: 1, value: 8 },
          { offset: 2, active: 1, rate: 0.5, value: 0 },
          { offset: 3, active: 1, rate: 0.5, value: 2 },
        ],
      },
      {
        cohort: '2024-02-01',
        size: 1,
        cells: [
          { offset: 0, active: 1, rate: 1, value: 8 },
          { offset: 1, active: 1, rate: 1, value: 1.5 },
          { offset: 2, active: 0, rate: 0, value: 0 },
        ],
      },
      { cohort: '2024-04-01', size: 1, cells: [{ offset: 0, active: 1, rate: 1, value: 8 }] },
    ]);
  });

  it.each([
    ['day', 'seen_on'],
    ['week', 'seen_at'],
    ['week', 'seen_on'],
    ['month', 'seen_at'],
  ] as const)('by %s over %s matches a plain computation', async (period, timeColumn) => {
    const { events, rows } = generate(period.length * 31 + timeColumn.length);
    const dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
    const report = await service().cohorts(contextOf(analyst), {
      datasetId: dataset.id,
      entityColumn: 'user_id',
      timeColumn,
      period,
      valueColumn: 'amount',
    });
    // Dates keep only the day of each timestamp.
    const asUsed =
      timeColumn === 'seen_on' ? events.map((e) => ({ ...e, at: periodStart(e.at, 'day') })) : events;
    const expected = expectedCohorts(asUsed, period);
    expect(report.result.cohorts).toHaveLength(expected.length);
    expect(report.result.cohorts).toEqual(expected);
    expect(report.result.entities).toBe(150);
    expect(report.result.events).toBe(events.length);
  });

  it('leaves the value out when no value column is given', async () => {
    const { rows } = generate(3);
    const dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
    const report = await service().cohorts(contextOf(analyst), {
      datasetId: dataset.id,
      entityColumn: 'user_id',
      timeColumn: 'seen_at',
      period: 'month',
    });
    expect(report.result.valueColumn).toBeNull();
    expect(report.result.cohorts[0]!.cells[0]).not.toHaveProperty('value');
  });

  it('stores a report and emits cohort.calculated with it', async () => {
    const { rows } = generate(4);
    const dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
    const report = await service().cohorts(contextOf(analyst), {
      datasetId: dataset.id,
      entityColumn: 'user_id',
      timeColumn: 'seen_at',
      period: 'month',
    });
    expect(await service().getReport(contextOf(analyst), report.id)).toEqual(report);
    const { rows: events } = await sql<{ type: string; payload: unknown }>`
      select type, payload from axi.outbox where payload->>'reportId' = ${report.id}`.execute(handle.db);
    expect(events.map((e) => e.type)).toEqual(['cohort.calculated']);
    const payload =
      typeof events[0]!.payload === 'string' ? JSON.parse(events[0]!.payload) : events[0]!.payload;
    expect(payload).toMatchObject({
      period: 'month',
      cohorts: report.result.cohorts.length,
      datasetId: dataset.id,
    });
  });

  it('refuses unusable columns, naming each', async () => {
    const { rows } = generate(5);
    const dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
    await expect(
      service().cohorts(contextOf(analyst), {
        datasetId: dataset.id,
        entityColumn: 'nobody',
        timeColumn: 'amount',
        period: 'week',
        valueColumn: 'user_id',
      }),
    ).rejects.toMatchObject({
      status: 400,
      fieldErrors: [
        { field: 'body.entityColumn', message: 'column "nobody" does not exist' },
        { field: 'body.timeColumn', message: 'column "amount" is integer, not a date or timestamp' },
        { field: 'body.valueColumn', message: 'column "user_id" is text, not numeric' },
      ],
    });
  });

  it('refuses a matrix with too many cohorts (422) and asks for a longer period', async () => {
    const rows: Cell[][] = Array.from({ length: 450 }, (_, i) => [
      `u${i}`,
      new Date(Date.UTC(2022, 0, 1) + i * DAY_MS),
      null,
      1,
    ]);
    const dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
    const input = { datasetId: dataset.id, entityColumn: 'user_id', timeColumn: 'seen_at' };
    await expect(service().cohorts(contextOf(analyst), { ...input, period: 'day' })).rejects.toMatchObject({
      status: 422,
      code: 'too-many-cohorts',
    });
    const monthly = await service().cohorts(contextOf(analyst), { ...input, period: 'month' });
    expect(monthly.result.cohorts).toHaveLength(15);
  });

  it('needs the analyst or admin role', async () => {
    const { rows } = generate(6);
    const dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
    await expect(
      service().cohorts(contextOf({ id: analyst.id, roles: ['viewer'] }), {
        datasetId: dataset.id,
        entityColumn: 'user_id',
        timeColumn: 'seen_at',
        period: 'month',
      }),
    ).rejects.toMatchObject({ status: 403 });
  });
});
