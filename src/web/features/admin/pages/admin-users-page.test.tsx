import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AdminUser } from '../../../../contracts/axi/auth.js';
import { mockApi } from '../../../test/msw.js';
import { anAdminUser, aUser, problem, renderRoutes, signedInAs } from '../../auth/test-app.js';
import { Component as AdminUsersPage } from './admin-users-page.js';

const server = mockApi();

const routes = [{ path: '/app/admin/users', Component: AdminUsersPage }];

const admin = anAdminUser({
  id: '11111111-1111-4111-8111-111111111111',
  email: 'admin@example.com',
  displayName: 'Grace',
  roles: ['admin'],
});
const bob = anAdminUser({
  id: '22222222-2222-4222-8222-222222222222',
  email: 'bob@example.com',
  displayName: 'Bob',
  roles: ['analyst'],
});

/** An admin API over an in-memory list, refusing to demote the last admin as the server does. */
function adminApi(initial: AdminUser[]) {
  const users = new Map(initial.map((u) => [u.id, u]));
  const patches: unknown[] = [];
  const handlers = [
    http.get('/api/v1/admin/users', ({ request }) => {
      const url = new URL(request.url);
      const q = url.searchParams.get('q') ?? '';
      const items = [...users.values()].filter((u) => u.email.includes(q) || u.displayName.includes(q));
      return HttpResponse.json({ items, total: items.length, limit: 20, offset: 0 });
    }),
    http.patch<{ id: string }>('/api/v1/admin/users/:id', async ({ params, request }) => {
      const changes = (await request.json()) as Partial<AdminUser>;
      patches.push({ id: params.id, ...changes });
      const user = users.get(params.id)!;
      const demotes =
        user.roles.includes('admin') &&
        (changes.disabled || (changes.roles && !changes.roles.includes('admin')));
      const otherAdmins = [...users.values()].filter(
        (u) => u.id !== user.id && u.roles.includes('admin') && !u.disabled,
      );
      if (demotes && otherAdmins.length === 0) {
        return problem(409, 'conflict', 'This is the last active admin; make another admin first.');
      }
      const updated = { ...user, ...changes };
      users.set(user.id, updated);
      return HttpResponse.json(updated);
    }),
  ];
  return { handlers, patches };
}

const rowOf = (email: string) => screen.getByRole('row', { name: new RegExp(email) });
const findRow = (email: string) => screen.findByRole('row', { name: new RegExp(email) });

describe('admin users page', () => {
  it('changes a role, and says clearly when the last admin cannot be demoted', async () => {
    const api = adminApi([admin, bob]);
    server.use(...signedInAs(() => aUser({ ...admin })), ...api.handlers);
    renderRoutes(routes, '/app/admin/users');
    const user = userEvent.setup();

    await findRow('bob@example.com');
    const bobAdmin = within(rowOf('bob@example.com')).getByRole('checkbox', {
      name: 'Admin',
    }) as HTMLInputElement;
    expect(bobAdmin.checked).toBe(false);
    await user.click(bobAdmin);
    await waitFor(() =>
      expect(
        (within(rowOf('bob@example.com')).getByRole('checkbox', { name: 'Admin' }) as HTMLInputElement)
          .checked,
      ).toBe(true),
    );
    expect(api.patches).toEqual([{ id: bob.id, roles: ['admin', 'analyst'] }]);
    expect(await screen.findByText('Roles of bob@example.com: admin, analyst.')).toBeTruthy();

    // Now Bob is an admin too; take it away from him and then try it on the last one.
    await user.click(within(rowOf('bob@example.com')).getByRole('checkbox', { name: 'Admin' }));
    await waitFor(() => expect(api.patches).toHaveLength(2));
    await user.click(within(rowOf('admin@example.com')).getByRole('checkbox', { name: 'Analyst' }));
    await waitFor(() => expect(api.patches).toHaveLength(3));
    await user.click(within(rowOf('admin@example.com')).getByRole('checkbox', { name: 'Admin' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Could not change admin@example.com: This is the last active admin/);
    // The checkbox shows what the server kept.
    expect(
      (within(rowOf('admin@example.com')).getByRole('checkbox', { name: 'Admin' }) as HTMLInputElement)
        .checked,
    ).toBe(true);
  });

  it('asks before disabling an account', async () => {
    const api = adminApi([admin, bob]);
    server.use(...signedInAs(() => aUser({ ...admin })), ...api.handlers);
    renderRoutes(routes, '/app/admin/users');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Disable bob@example.com' }));
    expect(screen.getByText(/Disable bob@example.com\? Their sign-ins end now/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.patches).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Disable bob@example.com' }));
    await user.click(screen.getByRole('button', { name: 'Disable account' }));
    expect(await screen.findByRole('button', { name: 'Enable bob@example.com' })).toBeTruthy();
    expect(within(rowOf('bob@example.com')).getByText('Disabled')).toBeTruthy();
    expect(api.patches).toEqual([{ id: bob.id, disabled: true }]);
  });

  it('searches by e-mail or name', async () => {
    const api = adminApi([admin, bob]);
    server.use(...signedInAs(() => aUser({ ...admin })), ...api.handlers);
    renderRoutes(routes, '/app/admin/users');
    const user = userEvent.setup();
    await findRow('bob@example.com');
    await user.type(screen.getByLabelText('Search by e-mail or name'), 'zed');
    expect(await screen.findByText('No user matches “zed”.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear the search' }));
    expect(await findRow('bob@example.com')).toBeTruthy();
  });

  it('tells a non-admin politely that the page is for admins', async () => {
    server.use(...signedInAs(() => aUser({ roles: ['analyst'] })));
    renderRoutes(routes, '/app/admin/users');
    expect(await screen.findByText('This page is for administrators only.')).toBeTruthy();
  });
});
