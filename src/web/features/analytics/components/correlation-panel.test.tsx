import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { columns, correlationResult, datasetId, ownerId, problem, renderWithApp } from '../test-utils.js';
import { CorrelationPanel, correlationCells } from './correlation-panel.js';

vi.mock('../../../shared/auth/session.js', () => ({
  useSession: () => ({ user: { roles: ['analyst'] } }),
}));
vi.mock('./heatmap-chart.js', () => ({
  default: ({ ariaLabel }: { ariaLabel: string }) => <div role="img" aria-label={ariaLabel} />,
}));

let sent: unknown[] = [];
const server = setupServer(
  http.get('/api/v1/analytics/reports', () =>
    HttpResponse.json({ items: [], total: 0, limit: 20, offset: 0 }),
  ),
  http.post('/api/v1/analytics/correlations', async ({ request }) => {
    const body = await request.json();
    sent.push(body);
    return HttpResponse.json(
      {
        id: '7b0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f51',
        datasetId,
        ownerId,
        createdAt: '2024-09-01T10:05:00.000Z',
        kind: 'correlation',
        params: body,
        result: correlationResult,
      },
      { status: 201 },
    );
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  sent = [];
});
afterAll(() => server.close());

describe('correlation panel', () => {
  it('sends the chosen columns and method, and shows r, p and n for each pair', async () => {
    const user = userEvent.setup();
    renderWithApp(<CorrelationPanel datasetId={datasetId} columns={columns} />);
    // Every numeric column is ticked by default (up to 12); text and dates are not offered.
    expect(screen.getByRole('checkbox', { name: 'Amount (EUR)' })).toHaveProperty('checked', true);
    expect(screen.queryByRole('checkbox', { name: 'Customer' })).toBeNull();

    await user.click(screen.getByRole('checkbox', { name: 'Discount' }));
    await user.click(screen.getByRole('radio', { name: 'Spearman (rank)' }));
    await user.click(screen.getByRole('button', { name: 'Run correlation' }));

    expect(
      await screen.findByRole('img', { name: /Spearman correlation heatmap of 2 columns/ }),
    ).toBeTruthy();
    expect(sent).toEqual([{ datasetId, columns: ['amount_eur', 'quantity'], method: 'spearman' }]);
    expect((await screen.findAllByText(/Correlation matrix ready/)).length).toBeGreaterThan(0);

    await user.click(screen.getByRole('button', { name: 'Table' }));
    const table = screen.getByRole('table', { name: 'Correlation of each pair of columns' });
    const row = within(table).getByRole('row', { name: /Amount \(EUR\)/ });
    expect(within(row).getByText('Quantity')).toBeTruthy();
    expect(within(row).getByText('0.750')).toBeTruthy();
    expect(within(row).getByText('998,000')).toBeTruthy();
    expect(within(row).getAllByText('< 0.001')).toHaveLength(2);
  });

  it('asks for two columns before running', async () => {
    const user = userEvent.setup();
    renderWithApp(<CorrelationPanel datasetId={datasetId} columns={columns} />);
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    await user.click(screen.getByRole('checkbox', { name: 'Quantity' }));
    await user.click(screen.getByRole('button', { name: 'Run correlation' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose at least two columns.');
    expect(sent).toEqual([]);
  });

  it('shows the server refusal clearly', async () => {
    server.use(
      http.post('/api/v1/analytics/correlations', () =>
        HttpResponse.json(problem(403, 'Forbidden', 'Needs role analyst or admin.'), { status: 403 }),
      ),
    );
    const user = userEvent.setup();
    renderWithApp(<CorrelationPanel datasetId={datasetId} columns={columns} />);
    await user.click(screen.getByRole('button', { name: 'Run correlation' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your role cannot run analyses');
  });

  it('explains when there are not enough numeric columns', () => {
    renderWithApp(<CorrelationPanel datasetId={datasetId} columns={columns.slice(0, 3)} />);
    expect(screen.getByText('Correlations need at least two numeric columns')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Run correlation' })).toBeNull();
  });

  it('colours cells on a diverging scale and puts r, p, adjusted p and n in the tooltip', () => {
    const cells = correlationCells(correlationResult, false, (c) => c.toUpperCase());
    const offDiagonal = cells.find((c) => c.x === 1 && c.y === 0);
    expect(offDiagonal?.label).toBe('0.75');
    expect(offDiagonal?.tooltip).toEqual([
      'AMOUNT_EUR × QUANTITY',
      'r = 0.750',
      'p = < 0.001 (adjusted < 0.001)',
      'n = 998,000',
      '95% CI 0.749 to 0.751',
    ]);
    // Positive correlations are red-ish, the diagonal is the darkest red.
    expect(cells.find((c) => c.x === 0 && c.y === 0)?.color).toBe('rgb(220, 38, 38)');
  });
});
