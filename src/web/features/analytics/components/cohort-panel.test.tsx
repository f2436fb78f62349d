import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cohortResult, columns, datasetId, ownerId, problem, renderWithApp } from '../test-utils.js';
import { CohortPanel, validateCohortForm } from './cohort-panel.js';

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
  http.post('/api/v1/analytics/cohorts', async ({ request }) => {
    const body = await request.json();
    sent.push(body);
    return HttpResponse.json(
      {
        id: '7b0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f52',
        datasetId,
        ownerId,
        createdAt: '2024-09-01T10:05:00.000Z',
        kind: 'cohort',
        params: body,
        result: cohortResult,
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

describe('cohort panel', () => {
  it('picks sensible defaults, sends the choice and shows retention per cohort', async () => {
    const user = userEvent.setup();
    renderWithApp(<CohortPanel datasetId={datasetId} columns={columns} />);
    expect(screen.getByRole('combobox', { name: 'Entity' })).toHaveProperty('value', 'customer');
    expect(screen.getByRole('combobox', { name: 'Time' })).toHaveProperty('value', 'order_date');
    // Only date and timestamp columns can be the time.
    const timeOptions = within(screen.getByRole('combobox', { name: 'Time' })).getAllByRole('option');
    expect(timeOptions.map((o) => o.textContent)).toEqual(['Choose a column…', 'Order Date']);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Period' }), 'week');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Value (optional)' }), 'amount_eur');
    await user.click(screen.getByRole('button', { name: 'Run cohorts' }));

    expect(await screen.findByRole('img', { name: /Retention heatmap of 2 monthly cohorts/ })).toBeTruthy();
    expect(sent).toEqual([
      {
        datasetId,
        entityColumn: 'customer',
        timeColumn: 'order_date',
        period: 'week',
        valueColumn: 'amount_eur',
      },
    ]);
    await user.click(screen.getByRole('button', { name: 'Table' }));
    const row = screen.getByRole('row', { name: /2024-01-01/ });
    expect(within(row).getByText('20')).toBeTruthy();
    expect(within(row).getByText('45%')).toBeTruthy();
  });

  it('validates the form before asking the server', async () => {
    const user = userEvent.setup();
    renderWithApp(<CohortPanel datasetId={datasetId} columns={columns} />);
    const entity = screen.getByRole('combobox', { name: 'Entity' });
    await user.selectOptions(entity, '');
    await user.click(screen.getByRole('button', { name: 'Run cohorts' }));
    expect(entity.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Choose who the rows are about (a customer or user column).')).toBeTruthy();
    expect(sent).toEqual([]);

    expect(
      validateCohortForm({ entityColumn: 'd', timeColumn: 'd', period: 'day', valueColumn: '' }),
    ).toEqual({
      entityColumn: 'The entity and the time must be different columns.',
    });
  });

  it('shows a wrong column type under its field (400) and too many cohorts as an alert (422)', async () => {
    server.use(
      http.post('/api/v1/analytics/cohorts', () =>
        HttpResponse.json(
          problem(400, 'Invalid column', 'column "order_date" is text, not a date or timestamp', [
            { field: 'body.timeColumn', message: 'column "order_date" is text, not a date or timestamp' },
          ]),
          { status: 400 },
        ),
      ),
    );
    const user = userEvent.setup();
    renderWithApp(<CohortPanel datasetId={datasetId} columns={columns} />);
    await user.click(screen.getByRole('button', { name: 'Run cohorts' }));
    const time = screen.getByRole('combobox', { name: 'Time' });
    expect((await screen.findAllByText('column "order_date" is text, not a date or timestamp')).length).toBe(
      2,
    );
    expect(time.getAttribute('aria-invalid')).toBe('true');

    server.use(
      http.post('/api/v1/analytics/cohorts', () =>
        HttpResponse.json(
          problem(
            422,
            'Too many cohorts',
            'The data spans 500 cohorts at this period (at most 400); choose a longer period.',
          ),
          { status: 422 },
        ),
      ),
    );
    await user.selectOptions(screen.getByRole('combobox', { name: 'Period' }), 'day');
    await user.click(screen.getByRole('button', { name: 'Run cohorts' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Too many cohorts')).toBeTruthy();
    expect(within(alert).getByText(/choose a longer period/)).toBeTruthy();
  });

  it('explains that cohorts need a date column when there is none', () => {
    renderWithApp(<CohortPanel datasetId={datasetId} columns={columns.filter((c) => c.type !== 'date')} />);
    expect(screen.getByText('Cohorts need a date or timestamp column')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Run cohorts' })).toBeNull();
  });
});
