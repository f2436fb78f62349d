import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { mockApi } from '../../../test/msw.js';
import { aUser, renderRoutes, signedInAs } from '../../auth/test-app.js';
import { anEvent, fakeMlogApi } from '../test-api.js';
import { Component as AuditPage } from './audit-page.js';

// jsdom has no canvas: the chart renders as its accessible image only.
vi.mock('../components/timeline-chart.js', () => ({
  default: ({ ariaLabel }: { ariaLabel: string }) => <div role="img" aria-label={ariaLabel} />,
}));

const server = mockApi();
const routes = [{ path: '/app/audit', Component: AuditPage }];

function seeded() {
  return fakeMlogApi([
    anEvent(5, { service: 'axi', action: 'login', userId: 'u1' }),
    anEvent(10, {
      service: 'axi',
      action: 'upload',
      userId: 'u2',
      metadata: { file: 'orders.csv', rows: 240 },
    }),
    anEvent(20, { service: 'billing', action: 'query', userId: 'u1' }),
    anEvent(3 * 60, { service: 'axi', action: 'login', userId: 'u3' }),
    anEvent(3 * 24 * 60, { service: 'echo', action: 'error', userId: null }),
  ]);
}

const lastCall = (api: ReturnType<typeof fakeMlogApi>, path: string) => api.callsTo(path).at(-1)!;

describe('audit dashboard page', () => {
  it('reads the filters from the address and sends them with the window and bucket', async () => {
    const api = seeded();
    server.use(...signedInAs(() => aUser({ roles: ['analyst'] })), ...api.handlers);
    renderRoutes(routes, '/app/audit?range=1h&service=axi&action=login');

    expect(await screen.findByRole('img', { name: /Events per minute: 1 in total/ })).toBeTruthy();
    const timeline = lastCall(api, 'timeline').params;
    expect(timeline.get('bucket')).toBe('minute');
    expect(timeline.get('service')).toBe('axi');
    expect(timeline.get('action')).toBe('login');
    expect(Date.parse(timeline.get('to')!) - Date.parse(timeline.get('from')!)).toBe(3600_000);
    expect(lastCall(api, 'events').params.get('service')).toBe('axi');
    // The controls show what the address says.
    expect((screen.getByLabelText('Time range') as HTMLSelectElement).value).toBe('1h');
    expect((screen.getByLabelText('Action') as HTMLInputElement).value).toBe('login');
    // The selected service: its counts by action over the window.
    const detail = await screen.findByRole('region', { name: 'axi by action' });
    expect(await within(detail).findByRole('rowheader', { name: 'login' })).toBeTruthy();
  });

  it('puts a changed filter into the address and queries with it', async () => {
    const api = seeded();
    server.use(...signedInAs(() => aUser({ roles: ['admin'] })), ...api.handlers);
    const { router } = renderRoutes(routes, '/app/audit');
    const user = userEvent.setup();

    // The default window: 24 hours by the hour; four of the five events are in it.
    await waitFor(() => expect(screen.getByTestId('timeline-total').textContent).toBe('4'));
    expect(lastCall(api, 'timeline').params.get('bucket')).toBe('hour');
    // The service choices are the services seen in the window, busiest first.
    const serviceSelect = screen.getByLabelText('Service') as HTMLSelectElement;
    await waitFor(() =>
      expect([...serviceSelect.options].map((o) => o.value)).toEqual(['', 'axi', 'billing']),
    );

    await user.selectOptions(serviceSelect, 'billing');
    await waitFor(() => expect(router.state.location.search).toBe('?service=billing'));
    await waitFor(() => expect(screen.getByTestId('timeline-total').textContent).toBe('1'));
    expect(lastCall(api, 'timeline').params.get('service')).toBe('billing');

    await user.type(screen.getByLabelText('User id'), 'u1');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(router.state.location.search).toBe('?service=billing&user=u1'));
    await waitFor(() => expect(lastCall(api, 'events').params.get('user_id')).toBe('u1'));
    expect((lastCall(api, 'aggregate').body as { pipeline: unknown[] }).pipeline[0]).toMatchObject({
      $match: { user_id: 'u1' },
    });

    await user.selectOptions(screen.getByLabelText('Time range'), '7d');
    await waitFor(() => expect(router.state.location.search).toBe('?range=7d&service=billing&user=u1'));
    await waitFor(() => expect(lastCall(api, 'timeline').params.get('bucket')).toBe('hour'));
    await user.selectOptions(screen.getByLabelText('Time range'), '30d');
    await waitFor(() => expect(lastCall(api, 'timeline').params.get('bucket')).toBe('day'));
  });

  it('applies a custom range and refuses one that ends before it starts', async () => {
    const api = seeded();
    server.use(...signedInAs(() => aUser({ roles: ['analyst'] })), ...api.handlers);
    const { router } = renderRoutes(routes, '/app/audit');
    const user = userEvent.setup();
    await screen.findByTestId('timeline-total');

    await user.selectOptions(screen.getByLabelText('Time range'), 'custom');
    const from = screen.getByLabelText('From') as HTMLInputElement;
    const to = screen.getByLabelText('To') as HTMLInputElement;
    // It starts as the window shown.
    expect(from.value).not.toBe('');
    fireEvent.change(from, { target: { value: '2025-03-02T10:00' } });
    fireEvent.change(to, { target: { value: '2025-03-01T10:00' } });
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.getByText('The start must be before the end.')).toBeTruthy();
    expect(router.state.location.search).toBe('');

    fireEvent.change(to, { target: { value: '2025-03-02T13:00' } });
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(router.state.location.search).toMatch(/^\?range=custom&from=.+&to=.+$/));
    await waitFor(() =>
      expect(lastCall(api, 'timeline').params.get('from')).toBe(new Date('2025-03-02T10:00').toISOString()),
    );
    expect(lastCall(api, 'timeline').params.get('bucket')).toBe('minute');
    expect(await screen.findByText('No events in this window')).toBeTruthy();
  });

  it('opens an event in an accessible drawer, closes it with Escape and returns focus', async () => {
    const api = seeded();
    server.use(...signedInAs(() => aUser({ roles: ['analyst'] })), ...api.handlers);
    renderRoutes(routes, '/app/audit?service=axi');
    const user = userEvent.setup();

    const open = await screen.findByRole('button', { name: /^upload in axi at .*: details$/ });
    await user.click(open);
    const dialog = screen.getByRole('dialog', { name: 'upload in axi' });
    expect(within(dialog).getByText('u2')).toBeTruthy();
    expect(within(dialog).getByText(/"file": "orders.csv"/)).toBeTruthy();
    expect(within(dialog).getByText(/"rows": 240/)).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy event id' })).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close event details' }));

    // Escape is the dialog's cancel event (jsdom does not synthesise it from the key).
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(open);

    await user.click(open);
    await user.click(screen.getByRole('button', { name: 'Close event details' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('tells a viewer clearly that their role cannot read the audit log', async () => {
    const api = seeded();
    api.fail(403, 'This needs one of the roles: admin, analyst.');
    server.use(...signedInAs(() => aUser({ roles: ['viewer'] })), ...api.handlers);
    renderRoutes(routes, '/app/audit');

    expect(await screen.findByText('Your role cannot read the audit log')).toBeTruthy();
    expect(screen.getByText(/needs the analyst or admin role/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Filters' })).toBeNull();
  });

  it('shows the problem detail and the field when a read fails', async () => {
    const api = seeded();
    api.fail(
      400,
      'The query is not valid.',
      [{ field: 'querystring.action', message: 'is too long' }],
      ['timeline'],
    );
    server.use(...signedInAs(() => aUser({ roles: ['analyst'] })), ...api.handlers);
    renderRoutes(routes, '/app/audit');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the timeline');
    expect(alert.textContent).toContain('The query is not valid.');
    expect(alert.textContent).toContain('querystring.action is too long');
    // The rest of the page still works.
    expect(await screen.findAllByRole('button', { name: /^login in axi at/ })).toHaveLength(2);
  });

  it('says when nothing matches', async () => {
    const api = fakeMlogApi([]);
    server.use(...signedInAs(() => aUser({ roles: ['analyst'] })), ...api.handlers);
    renderRoutes(routes, '/app/audit');
    expect(await screen.findByText('No events in this window')).toBeTruthy();
    expect(await screen.findByText('No events match')).toBeTruthy();
    expect(await screen.findByText('No service sent events in this window')).toBeTruthy();
  });
});
