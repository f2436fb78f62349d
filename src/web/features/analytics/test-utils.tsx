import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import type { CohortResult, CorrelationResult, DatasetProfile } from '../../../contracts/axi/analytics.js';
import type { DatasetColumn } from '../../../contracts/axi/columns.js';
import type { Dataset } from '../../../contracts/axi/datasets.js';
import { ToastProvider } from '../../shared/ui/toasts.js';

export const datasetId = '3f0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f50';
export const ownerId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** Renders `ui` at `path` (a route pattern) with queries, toasts and a router, as the app does. */
export function renderWithApp(
  ui: ReactElement,
  { path = '/', url = '/' }: { path?: string; url?: string } = {},
) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } },
  });
  const router = createMemoryRouter([{ path, element: ui }], { initialEntries: [url] });
  return render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

function column(
  position: number,
  name: string,
  originalName: string,
  type: DatasetColumn['type'],
): DatasetColumn {
  return {
    name,
    originalName,
    position,
    type,
    inferredType: type,
    evidence: {
      nonEmpty: 100,
      empty: 0,
      shares: { integer: 0, bigint: 0, double: 0, boolean: 0, date: 0, timestamp: 0, text: 1, [type]: 1 },
      ambiguousExamples: [],
      blockers: type === 'text' ? [{ type: 'integer', value: 'C0001', line: 2 }] : [],
      reason: `every non-empty value parses as ${type}`,
    },
  };
}

export const columns: DatasetColumn[] = [
  column(0, 'customer', 'Customer', 'text'),
  column(1, 'order_date', 'Order Date', 'date'),
  column(2, 'amount_eur', 'Amount (EUR)', 'double'),
  column(3, 'quantity', 'Quantity', 'integer'),
  column(4, 'discount', 'Discount', 'double'),
];

export function dataset(overrides: Partial<Dataset> = {}): Dataset {
  return {
    id: datasetId,
    ownerId,
    name: 'Orders 2024',
    originalFilename: 'orders.csv',
    columns,
    rowCount: 1_000_000,
    rejectedRowCount: 0,
    sizeBytes: 52_000_000,
    encoding: 'utf-8',
    delimiter: ',',
    createdAt: '2024-09-01T10:00:00.000Z',
    ...overrides,
  };
}

export const summary: DatasetProfile = {
  datasetId,
  rowCount: 1_000_000,
  computedAt: '2024-09-01T10:01:00.000Z',
  columns: [
    {
      kind: 'categorical',
      name: 'customer',
      originalName: 'Customer',
      type: 'text',
      count: 999_000,
      nulls: 1_000,
      distinct: 4_321,
      topValues: [
        { value: 'C0042', count: 913 },
        { value: 'C0007', count: 877 },
      ],
    },
    {
      kind: 'temporal',
      name: 'order_date',
      originalName: 'Order Date',
      type: 'date',
      count: 1_000_000,
      nulls: 0,
      distinct: 240,
      min: '2024-01-01',
      max: '2024-08-27',
      period: 'week',
      counts: [
        { period: '2024-01-01', count: 30_000 },
        { period: '2024-01-08', count: 31_000 },
      ],
    },
    {
      kind: 'numeric',
      name: 'amount_eur',
      originalName: 'Amount (EUR)',
      type: 'double',
      count: 1_000_000,
      nulls: 0,
      distinct: 1_785,
      min: 10.02,
      max: 299.8,
      mean: 101.25,
      stddev: 66.78,
      q1: 46.31,
      median: 85.87,
      q3: 142.6,
      histogram: [
        { lower: 10, upper: 110, count: 600_000 },
        { lower: 110, upper: 210, count: 300_000 },
        { lower: 210, upper: 310, count: 100_000 },
      ],
    },
    {
      kind: 'numeric',
      name: 'quantity',
      originalName: 'Quantity',
      type: 'integer',
      count: 1_000_000,
      nulls: 0,
      distinct: 6,
      min: 1,
      max: 6,
      mean: 3.446,
      stddev: 1.708,
      q1: 2,
      median: 3,
      q3: 5,
      histogram: [{ lower: 1, upper: 7, count: 1_000_000 }],
    },
    {
      kind: 'numeric',
      name: 'discount',
      originalName: 'Discount',
      type: 'double',
      count: 800_000,
      nulls: 200_000,
      distinct: 299,
      min: 0,
      max: 0.3,
      mean: 0.1491,
      stddev: 0.08659,
      q1: 0.075,
      median: 0.147,
      q3: 0.225,
      histogram: [],
    },
  ],
};

export const correlationResult: CorrelationResult = {
  method: 'spearman',
  columns: ['amount_eur', 'quantity'],
  matrix: [
    [1, 0.75],
    [0.75, 1],
  ],
  pairs: [
    { x: 'amount_eur', y: 'quantity', n: 998_000, r: 0.75, pValue: 0, pAdjusted: 0, ci95: [0.749, 0.751] },
  ],
};

export const cohortResult: CohortResult = {
  period: 'month',
  entityColumn: 'customer',
  timeColumn: 'order_date',
  valueColumn: null,
  entities: 30,
  events: 95,
  cohorts: [
    {
      cohort: '2024-01-01',
      size: 20,
      cells: [
        { offset: 0, active: 20, rate: 1 },
        { offset: 1, active: 9, rate: 0.45 },
      ],
    },
    { cohort: '2024-02-01', size: 10, cells: [{ offset: 0, active: 10, rate: 1 }] },
  ],
};

export function problem(
  status: number,
  title: string,
  detail: string,
  errors?: { field: string; message: string }[],
) {
  return {
    type: `/problems/${title.toLowerCase().replace(/\s+/g, '-')}`,
    title,
    status,
    detail,
    correlationId: 'test',
    ...(errors ? { errors } : {}),
  };
}
