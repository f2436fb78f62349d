import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { ToastProvider } from '../../../shared/ui/toasts.js';

/** Renders a datasets component with what the app gives it: queries, toasts and a router. */
export function renderWithApp(ui: ReactElement, { route = '/app' }: { route?: string } = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } },
  });
  return render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

export function datasetItem(overrides: Partial<Record<string, unknown>> = {}) {
  return {
    id: '3f0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f50',
    ownerId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    name: 'Sales 2024',
    originalFilename: 'sales-2024.csv',
    rowCount: 12_345,
    rejectedRowCount: 0,
    sizeBytes: 2_500_000,
    encoding: 'utf-8',
    delimiter: ',',
    createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    columnCount: 7,
    ...overrides,
  };
}
