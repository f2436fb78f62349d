import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dataset, datasetId, problem, renderWithApp, summary } from '../../analytics/test-utils.js';
import { scrollScale } from '../components/rows-window.js';
import { Component as DatasetPage } from './dataset-page.js';

vi.mock('../../../shared/auth/session.js', () => ({
  useSession: () => ({ user: { roles: ['analyst'] } }),
}));
// jsdom has no canvas: the charts render as their accessible image only.
vi.mock('../components/column-chart.js', () => ({
  default: ({ ariaLabel }: { ariaLabel: string }) => <div role="img" aria-label={ariaLabel} />,
}));
vi.mock('../../analytics/components/heatmap-chart.js', () => ({
  default: ({ ariaLabel }: { ariaLabel: string }) => <div role="img" aria-label={ariaLabel} />,
}));

const rowRequests: URLSearchParams[] = [];

function rowsFor(offset: number, limit: number, sort: string | null) {
  const d = dataset();
  return {
    columns: d.columns.map((c) => ({ name: c.name, originalName: c.originalName, type: c.type })),
    rows: Array.from({ length: limit }, (_, i) => {
      const n = offset + i;
      return [`C${n}`, '2024-03-01', sort === '-amount_eur' ? 1_000_000 - n : n + 0.5, n % 6, null];
    }),
    total: d.rowCount,
    limit,
    offset,
  };
}

const server = setupServer(
  http.get(`/api/v1/datasets/${datasetId}`, () => HttpResponse.json(dataset())),
  http.get(`/api/v1/datasets/${datasetId}/summary`, () => HttpResponse.json(summary)),
  http.get(`/api/v1/datasets/${datasetId}/rows`, ({ request }) => {
    const params = new URL(request.url).searchParams;
    rowRequests.push(params);
    return HttpResponse.json(
      rowsFor(Number(params.get('offset')), Number(params.get('limit')), params.get('sort')),
    );
  }),
  http.get('/api/v1/analytics/reports', () =>
    HttpResponse.json({ items: [], total: 0, limit: 20, offset: 0 }),
  ),
  http.get('/api/aide/history', () => HttpResponse.json({ items: [] })),
  // The insights panel computes on open; nothing notable keeps these tests about the page itself.
  http.post('/api/aide/insights/:id', () =>
    HttpResponse.json({
      datasetId,
      insights: [],
      provider: 'builtin',
      model: null,
      promptVersion: 'builtin-1',
      generatedAt: '2024-09-01T10:00:00.000Z',
    }),
  ),
);

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  // jsdom lays nothing out; the virtualiser needs a viewport to decide which rows are visible.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 448 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 960 });
});
afterEach(() => {
  server.resetHandlers();
  rowRequests.length = 0;
});
afterAll(() => server.close());

const renderPage = () =>
  renderWithApp(<DatasetPage />, { path: '/app/datasets/:id', url: `/app/datasets/${datasetId}` });

describe('dataset page', () => {
  it('shows the dataset facts and each column card with the numbers of the profile', async () => {
    renderPage();
    expect(await screen.findByRole('heading', { level: 1, name: 'Orders 2024' })).toBeTruthy();
    const fact = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(fact('Rows')).toBe('1,000,000');
    expect(fact('Size')).toBe('49.6 MB');
    expect(fact('Delimiter')).toBe('comma');

    const amount = await screen.findByRole('region', { name: 'Amount (EUR)' });
    const stat = (card: HTMLElement, term: string) =>
      within(card).getByText(term).nextElementSibling?.textContent;
    await waitFor(() => expect(stat(amount, 'Median')).toBe('85.87'));
    expect(stat(amount, 'Min')).toBe('10.02');
    expect(stat(amount, 'Max')).toBe('299.8');
    expect(stat(amount, 'Q1')).toBe('46.31');
    expect(stat(amount, 'Q3')).toBe('142.6');
    expect(stat(amount, 'Std dev')).toBe('66.78');
    expect(stat(amount, 'Distinct')).toBe('1,785');
    // The histogram has an accessible name and its numbers as a table.
    expect(await within(amount).findByRole('img', { name: 'Histogram of Amount (EUR)' })).toBeTruthy();
    const bins = within(amount).getByRole('table', { name: 'Histogram of Amount (EUR)' });
    expect(within(bins).getByRole('row', { name: '10–110 600,000' })).toBeTruthy();

    const discount = screen.getByRole('region', { name: 'Discount' });
    expect(stat(discount, 'Nulls')).toBe('200,000');

    const customer = screen.getByRole('region', { name: 'Customer' });
    const top = within(customer).getByRole('table', { name: 'Most frequent values of Customer' });
    expect(within(top).getByRole('row', { name: 'C0042 913' })).toBeTruthy();
    // The evidence explains the type.
    await userEvent.click(within(customer).getByText('Why this type'));
    expect(within(customer).getByText('Not integer: “C0001” on line 2')).toBeTruthy();

    const orderDate = screen.getByRole('region', { name: 'Order Date' });
    expect(within(orderDate).getByText('2024-08-27')).toBeTruthy();
    expect(within(orderDate).getByText('per week')).toBeTruthy();
  });

  it('fetches only the page of rows on screen, and the right page after a scroll', async () => {
    renderPage();
    expect(await screen.findByRole('cell', { name: 'C0' })).toBeTruthy();
    expect(rowRequests.map((p) => [p.get('offset'), p.get('limit')])).toEqual([['0', '200']]);

    const scroller = screen.getByRole('region', { name: 'Rows of Orders 2024' });
    // A million rows are taller than a browser allows, so the element's scroll is compressed:
    // put row 500 at the top (virtual offset: header 36 px + 500 rows of 32 px).
    const { scale } = scrollScale(1_000_000, 448);
    expect(scale).toBeGreaterThan(2);
    Object.defineProperty(scroller, 'scrollTop', { configurable: true, value: (36 + 500 * 32) / scale });
    fireEvent.scroll(scroller);
    expect(await screen.findByRole('cell', { name: 'C500' })).toBeTruthy();
    expect(rowRequests.map((p) => p.get('offset'))).toEqual(['0', '400']);
    const row = screen.getByRole('cell', { name: 'C500' }).closest('tr');
    expect(row?.getAttribute('aria-rowindex')).toBe('502');
  });

  it('sorts by a column when its header is clicked, and says so with aria-sort', async () => {
    renderPage();
    await screen.findByRole('cell', { name: 'C0' });
    const header = () => screen.getByRole('columnheader', { name: /Amount \(EUR\)/ });
    expect(header().getAttribute('aria-sort')).toBe('none');

    await userEvent.click(within(header()).getByRole('button'));
    await waitFor(() => expect(rowRequests.at(-1)?.get('sort')).toBe('amount_eur'));
    expect(header().getAttribute('aria-sort')).toBe('ascending');

    await userEvent.click(within(header()).getByRole('button'));
    await waitFor(() => expect(rowRequests.at(-1)?.get('sort')).toBe('-amount_eur'));
    expect(header().getAttribute('aria-sort')).toBe('descending');
    expect(await screen.findByRole('cell', { name: '1000000' })).toBeTruthy();
  });

  it('offers the "Ask a question" panel, loaded on its own', async () => {
    renderPage();
    expect(await screen.findByRole('textbox', { name: 'Question' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Ask a question' }).getAttribute('href')).toBe('#ask');
  });

  it('says so when the dataset does not exist', async () => {
    server.use(
      http.get(`/api/v1/datasets/${datasetId}`, () =>
        HttpResponse.json(problem(404, 'Not found', 'No dataset.'), { status: 404 }),
      ),
    );
    renderPage();
    expect(await screen.findByRole('heading', { level: 1, name: 'Dataset not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to your datasets' }).getAttribute('href')).toBe('/app');
  });

  it('offers a retry when the profile fails, and shows it after the retry', async () => {
    let calls = 0;
    server.use(
      http.get(`/api/v1/datasets/${datasetId}/summary`, () =>
        ++calls === 1
          ? HttpResponse.json(problem(500, 'Internal error', 'Boom.'), { status: 500 })
          : HttpResponse.json(summary),
      ),
    );
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('The column profiles could not be loaded.')).toBeTruthy();
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    const amount = await screen.findByRole('region', { name: 'Amount (EUR)' });
    expect(await within(amount).findByText('85.87')).toBeTruthy();
  });
});
