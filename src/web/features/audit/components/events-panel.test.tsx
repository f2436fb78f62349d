import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { mockApi } from '../../../test/msw.js';
import { aUser, renderRoutes, signedInAs } from '../../auth/test-app.js';
import { anEvent, fakeMlogApi } from '../test-api.js';
import { EventsPanel } from './events-panel.js';

const server = mockApi();

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}
afterEach(() => setVisibility('visible'));

function renderPanel(api: ReturnType<typeof fakeMlogApi>) {
  server.use(...signedInAs(() => aUser({ roles: ['analyst'] })), ...api.handlers);
  const now = Date.now();
  const window = { from: new Date(now - 3600_000).toISOString(), to: new Date(now).toISOString() };
  const page = () => <EventsPanel window={window} filter={{}} liveIntervalMs={100} />;
  return renderRoutes([{ path: '/', Component: page }], '/');
}

const livePolls = (api: ReturnType<typeof fakeMlogApi>) =>
  api.callsTo('events').filter((c) => c.headers.get('x-correlation-id')?.startsWith('audit-live-'));
const rowNames = () =>
  screen
    .getAllByRole('button', { name: / at .*: details$/ })
    .map((b) => b.getAttribute('aria-label')!.split(' at ')[0]);

describe('events panel: live tail', () => {
  it('polls from the newest event, prepends and highlights new ones, hides its own polls, pauses when hidden', async () => {
    const newest = anEvent(1, { action: 'upload' });
    const api = fakeMlogApi([anEvent(2, { action: 'login' }), newest]);
    renderPanel(api);
    const user = userEvent.setup();
    await waitFor(() => expect(rowNames()).toEqual(['upload in axi', 'login in axi']));
    expect(screen.getByTestId('live-state').textContent).toBe('Paused');

    await user.click(screen.getByRole('button', { name: 'Start live tail' }));
    expect(screen.getByTestId('live-state').textContent).toBe('Live');
    await waitFor(() => expect(livePolls(api).length).toBeGreaterThan(0));
    expect(livePolls(api)[0]!.params.get('from')).toBe(newest.ts);

    // A new event, and the audit record the server wrote for one of our polls.
    const arrived = anEvent(0, { service: 'billing', action: 'invoice.paid', metadata: { amount: 12 } });
    const pollId = livePolls(api).at(-1)!.headers.get('x-correlation-id')!;
    api.add(arrived, anEvent(0, { service: 'mlog', action: 'analytics.query', correlationId: pollId }));

    await waitFor(() => expect(rowNames()[0]).toBe('invoice.paid in billing'));
    expect(rowNames()).toEqual(['invoice.paid in billing', 'upload in axi', 'login in axi']);
    const row = screen.getByRole('button', { name: /^invoice.paid in billing/ }).closest('tr')!;
    expect(row.dataset.fresh).toBe('true');
    expect(screen.getByText('1 new event')).toBeTruthy();
    // Later polls start from the newest seen, past our own poll records too.
    await waitFor(() =>
      expect(Date.parse(livePolls(api).at(-1)!.params.get('from')!)).toBeGreaterThanOrEqual(
        Date.parse(arrived.ts),
      ),
    );

    // A hidden tab does not poll; it catches up when shown again.
    setVisibility('hidden');
    await new Promise((r) => setTimeout(r, 150));
    const whileHidden = livePolls(api).length;
    await new Promise((r) => setTimeout(r, 400));
    expect(livePolls(api).length).toBe(whileHidden);
    api.add(anEvent(0, { action: 'logout' }));
    setVisibility('visible');
    await waitFor(() => expect(rowNames()[0]).toBe('logout in axi'));

    // The drawer opens on a live row too.
    await user.click(screen.getByRole('button', { name: /^invoice.paid in billing/ }));
    expect(within(screen.getByRole('dialog')).getByText(/"amount": 12/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Close event details' }));

    await user.click(screen.getByRole('button', { name: 'Stop live tail' }));
    expect(screen.getByTestId('live-state').textContent).toBe('Paused');
    const stopped = livePolls(api).length;
    await new Promise((r) => setTimeout(r, 300));
    expect(livePolls(api).length).toBe(stopped);
  });

  it('says so when a burst is larger than one poll brings', async () => {
    const api = fakeMlogApi([anEvent(2)]);
    renderPanel(api);
    const user = userEvent.setup();
    await waitFor(() => expect(rowNames()).toHaveLength(1));
    await user.click(screen.getByRole('button', { name: 'Start live tail' }));
    await waitFor(() => expect(livePolls(api).length).toBeGreaterThan(0));
    api.add(...Array.from({ length: 250 }, () => anEvent(0, { action: 'query' })));
    expect(await screen.findByText(/More events arrived at once than the live tail shows/)).toBeTruthy();
    await waitFor(() => expect(rowNames().length).toBeGreaterThanOrEqual(201));
  });

  it('loads older events with the cursor', async () => {
    const api = fakeMlogApi(Array.from({ length: 60 }, (_, i) => anEvent(1 + i / 2)));
    renderPanel(api);
    const user = userEvent.setup();
    await waitFor(() => expect(rowNames()).toHaveLength(50));
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rowNames()).toHaveLength(60));
    expect(api.callsTo('events').at(-1)!.params.get('cursor')).toBe('50');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });
});
