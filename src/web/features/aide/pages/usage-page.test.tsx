import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { UsageResponse, UsageRow } from '../../../../contracts/aide/usage.js';
import type { AdminUser } from '../../../../contracts/axi/auth.js';
import { mockApi } from '../../../test/msw.js';
import { anAdminUser, aUser, problem, renderRoutes, signedInAs } from '../../auth/test-app.js';
import { Component as UsagePage } from './usage-page.js';

const server = mockApi();
const routes = [{ path: '/app/ai-usage', Component: UsagePage }];
const DAY_MS = 86_400_000;

const ada = anAdminUser({ id: '11111111-1111-4111-8111-111111111111', email: 'ada@example.com' });
const bob = anAdminUser({ id: '22222222-2222-4222-8222-222222222222', email: 'bob@example.com' });
/** Used AIDE but is not on the admin's list of users: shown by id. */
const ghostId = '33333333-3333-4333-8333-333333333333';

function aRow(overrides: Partial<UsageRow>): UsageRow {
  return {
    userId: ada.id,
    provider: 'builtin',
    model: null,
    feature: 'nl2sql',
    requests: 0,
    cachedRequests: 0,
    fallbackRequests: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    unpricedRequests: 0,
    ...overrides,
  };
}

const ledger: UsageRow[] = [
  aRow({
    userId: bob.id,
    provider: 'openai',
    model: 'gpt-4o-mini',
    feature: 'nl2sql',
    requests: 1520,
    cachedRequests: 300,
    fallbackRequests: 12,
    inputTokens: 1_234_567,
    outputTokens: 89_012,
    costUsd: 0.0015,
  }),
  aRow({ userId: ada.id, provider: 'builtin', feature: 'insights', requests: 4, cachedRequests: 1 }),
  aRow({ userId: ghostId, provider: 'builtin', feature: 'nl2sql', requests: 2 }),
];

/** Totals as the server adds them up. */
function totalsOf(rows: UsageRow[]): UsageResponse['totals'] {
  const sum = (pick: (r: UsageRow) => number) => rows.reduce((t, r) => t + pick(r), 0);
  return {
    requests: sum((r) => r.requests),
    cachedRequests: sum((r) => r.cachedRequests),
    fallbackRequests: sum((r) => r.fallbackRequests),
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    costUsd: sum((r) => r.costUsd),
    unpricedRequests: sum((r) => r.unpricedRequests),
  };
}

/**
 * GET /api/aide/usage over `rows`, scoped like the server: an analyst gets their own rows, an
 * admin everyone's or the `userId` asked for. Records each query it was sent.
 */
function usageApi(rows: UsageRow[], me: () => { id: string; roles: string[] }) {
  const queries: URLSearchParams[] = [];
  const handler = http.get('/api/aide/usage', ({ request }) => {
    const params = new URL(request.url).searchParams;
    queries.push(params);
    const caller = me();
    if (!caller.roles.some((r) => r === 'analyst' || r === 'admin')) {
      return problem(403, 'forbidden', 'This needs one of the roles: admin, analyst.');
    }
    const userId = caller.roles.includes('admin') ? params.get('userId') : caller.id;
    const mine = userId ? rows.filter((r) => r.userId === userId) : rows;
    const body: UsageResponse = {
      from: params.get('from')!,
      to: params.get('to')!,
      rows: mine,
      totals: totalsOf(mine),
    };
    return HttpResponse.json(body);
  });
  return { handler, queries, last: () => queries.at(-1)! };
}

function adminUsersApi(users: AdminUser[]) {
  return http.get('/api/v1/admin/users', () =>
    HttpResponse.json({ items: users, total: users.length, limit: 200, offset: 0 }),
  );
}

const windowDays = (params: URLSearchParams) =>
  (Date.parse(params.get('to')!) - Date.parse(params.get('from')!)) / DAY_MS;

const tile = (key: string) => screen.getByTestId(`usage-${key}-value`).textContent;

describe('AI usage page', () => {
  it('shows an analyst their own totals and rows, formatted, without a user filter', async () => {
    const me = aUser({ id: bob.id, roles: ['analyst'] });
    const api = usageApi(ledger, () => me);
    server.use(...signedInAs(() => me), api.handler);
    renderRoutes(routes, '/app/ai-usage');

    const table = await screen.findByRole('table', { name: /Usage by provider, model and feature/ });
    expect(tile('requests')).toBe('1,520');
    expect(tile('cached')).toBe('300');
    expect(tile('fallback')).toBe('12');
    expect(tile('input-tokens')).toBe('1,234,567');
    expect(tile('output-tokens')).toBe('89,012');
    expect(tile('cost')).toBe('$0.0015');
    expect(screen.queryByTestId('usage-cost-note')).toBeNull();

    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(2);
    expect(rows[1]!.textContent).toBe('QuestionsOpenAIgpt-4o-mini1,520300121,234,56789,012$0.0015');
    expect(within(table).queryByRole('columnheader', { name: 'User' })).toBeNull();

    // The default window is the last 30 days, and no user is named for a non-admin.
    expect(windowDays(api.last())).toBe(30);
    expect(api.last().has('userId')).toBe(false);
    expect(screen.getByLabelText('Window')).toBeTruthy();
    expect(screen.queryByLabelText('User')).toBeNull();
  });

  it('notes the requests without a configured price', async () => {
    const me = aUser({ id: ada.id, roles: ['analyst'] });
    const priced = aRow({ provider: 'openai', model: 'gpt-4o', requests: 9, costUsd: 1234.5 });
    const unpriced = aRow({ provider: 'anthropic', model: 'claude', requests: 3, unpricedRequests: 3 });
    const api = usageApi([priced, unpriced], () => me);
    server.use(...signedInAs(() => me), api.handler);
    renderRoutes(routes, '/app/ai-usage');

    expect((await screen.findByTestId('usage-cost-note')).textContent).toBe(
      '3 requests have no price configured (LLM_PRICE_*)',
    );
    expect(tile('cost')).toBe('$1,234.50');
    const table = screen.getByRole('table');
    expect(within(table).getByRole('row', { name: /Anthropic/ }).textContent).toContain('+ 3 unpriced');
  });

  it('shows an admin every user by e-mail and filters by one user', async () => {
    const me = aUser({ id: ada.id, email: ada.email, roles: ['admin'] });
    const api = usageApi(ledger, () => me);
    server.use(...signedInAs(() => me), api.handler, adminUsersApi([ada, bob]));
    const { router } = renderRoutes(routes, '/app/ai-usage');
    const user = userEvent.setup();

    const table = await screen.findByRole('table', { name: /Usage by user, provider, model and feature/ });
    expect(await within(table).findByRole('rowheader', { name: 'bob@example.com' })).toBeTruthy();
    expect(within(table).getByRole('rowheader', { name: 'ada@example.com' })).toBeTruthy();
    // Someone the user list does not have is shown by id.
    expect(within(table).getByRole('rowheader', { name: ghostId })).toBeTruthy();
    expect(tile('requests')).toBe('1,526');
    expect(api.last().has('userId')).toBe(false);

    const filter = screen.getByLabelText('User') as HTMLSelectElement;
    expect([...filter.options].map((o) => o.text)).toEqual([
      'All users',
      'ada@example.com',
      'bob@example.com',
    ]);
    await user.selectOptions(filter, bob.id);
    await waitFor(() => expect(router.state.location.search).toBe(`?user=${bob.id}`));
    await waitFor(() => expect(api.last().get('userId')).toBe(bob.id));
    await waitFor(() => expect(tile('requests')).toBe('1,520'));
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2);

    await user.selectOptions(filter, '');
    await waitFor(() => expect(router.state.location.search).toBe(''));
    await waitFor(() => expect(tile('requests')).toBe('1,526'));
    expect(api.last().has('userId')).toBe(false);
  });

  it('reads the window from the address and sends a changed one as from/to', async () => {
    const me = aUser({ id: ada.id, roles: ['analyst'] });
    const api = usageApi(ledger, () => me);
    server.use(...signedInAs(() => me), api.handler);
    const { router } = renderRoutes(routes, '/app/ai-usage?range=90d');
    const user = userEvent.setup();

    await screen.findByRole('table');
    expect(windowDays(api.last())).toBe(90);
    const picker = screen.getByLabelText('Window') as HTMLSelectElement;
    expect(picker.value).toBe('90d');

    const before = Date.now();
    await user.selectOptions(picker, '7d');
    await waitFor(() => expect(router.state.location.search).toBe('?range=7d'));
    await waitFor(() => expect(windowDays(api.last())).toBe(7));
    // The new window ends now.
    expect(Date.parse(api.last().get('to')!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('says when the window has no requests', async () => {
    const me = aUser({ roles: ['analyst'] });
    const api = usageApi([], () => me);
    server.use(...signedInAs(() => me), api.handler);
    renderRoutes(routes, '/app/ai-usage');

    expect(await screen.findByText('No AI requests in this window')).toBeTruthy();
    expect(tile('requests')).toBe('0');
    expect(tile('cost')).toBe('$0.00');
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the problem detail of a failed load and loads again on retry', async () => {
    const me = aUser({ id: bob.id, roles: ['analyst'] });
    const api = usageApi(ledger, () => me);
    let failures = 1;
    server.use(
      ...signedInAs(() => me),
      http.get('/api/aide/usage', () => {
        if (failures-- > 0)
          return problem(503, 'unavailable', 'The usage ledger is not reachable right now.');
        return undefined;
      }),
      api.handler,
    );
    renderRoutes(routes, '/app/ai-usage');
    const user = userEvent.setup();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load AI usage');
    expect(alert.textContent).toContain('The usage ledger is not reachable right now.');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByTestId('usage-requests-value').textContent).toBe('1,520'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('tells a viewer their role cannot see AI usage', async () => {
    const me = aUser({ roles: ['viewer'] });
    const api = usageApi(ledger, () => me);
    server.use(...signedInAs(() => me), api.handler);
    renderRoutes(routes, '/app/ai-usage');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your role cannot see AI usage');
    expect(alert.textContent).toContain('needs the analyst or admin role');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });
});
