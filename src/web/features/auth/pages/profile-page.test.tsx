import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { UserProfile } from '../../../../contracts/axi/auth.js';
import { mockApi } from '../../../test/msw.js';
import { aUser, problem, renderRoutes, signedInAs } from '../test-app.js';
import { Component as ProfilePage } from './profile-page.js';

const server = mockApi();

const routes = [{ path: '/app/profile', Component: ProfilePage }];
const recoveryCodes = ['aaaa-bbbb-cccc-dddd', 'eeee-ffff-gggg-hhhh'];

describe('profile page', () => {
  it('enrols two-factor sign-in: QR code, a wrong code, then the recovery codes once', async () => {
    let me: UserProfile = aUser();
    const confirmed: string[] = [];
    server.use(
      ...signedInAs(() => me),
      http.post('/api/v1/users/me/2fa/enrol', () =>
        HttpResponse.json({
          secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          otpauthUri: 'otpauth://totp/NEXUS:ada@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          qrCode: 'data:image/png;base64,iVBORw0KGgo=',
        }),
      ),
      http.post('/api/v1/users/me/2fa/confirm', async ({ request }) => {
        const { code } = (await request.json()) as { code: string };
        confirmed.push(code);
        if (code !== '246810') {
          return problem(400, 'validation-error', 'The code is wrong.', [
            { field: 'body.code', message: 'is wrong or expired' },
          ]);
        }
        me = { ...me, twoFactorEnabled: true };
        return HttpResponse.json({ recoveryCodes });
      }),
    );
    renderRoutes(routes, '/app/profile');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Set up two-factor sign-in' }));
    const qr = await screen.findByRole('img', { name: /QR code/ });
    expect(qr.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')).toBeTruthy();

    await user.type(screen.getByLabelText('Code from your app'), '111111');
    await user.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    expect(await screen.findByText('Code is wrong or expired')).toBeTruthy();

    await user.type(screen.getByLabelText('Code from your app'), '246810');
    await user.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));

    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(recoveryCodes);
    expect(screen.getByRole('alert').textContent).toMatch(/shown only this time/);
    expect(confirmed).toEqual(['111111', '246810']);

    await user.click(screen.getByRole('button', { name: 'Copy codes' }));
    expect(await navigator.clipboard.readText()).toBe(recoveryCodes.join('\n'));
    expect(await screen.findByText('Recovery codes copied.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).toBeNull();
    expect(await screen.findByRole('button', { name: 'Turn off two-factor sign-in' })).toBeTruthy();
  });

  it('turns two-factor sign-in off with password and code, and shows a wrong password on its field', async () => {
    let me: UserProfile = aUser({ twoFactorEnabled: true });
    server.use(
      ...signedInAs(() => me),
      http.post('/api/v1/users/me/2fa/disable', async ({ request }) => {
        const body = (await request.json()) as { password: string; code: string };
        if (body.password !== 'correct-Horse-battery-77') {
          return problem(400, 'validation-error', 'The password is wrong.', [
            { field: 'body.password', message: 'is wrong' },
          ]);
        }
        me = { ...me, twoFactorEnabled: false };
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderRoutes(routes, '/app/profile');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Your password'), 'nope');
    await user.type(screen.getByLabelText('Code or recovery code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    expect(await screen.findByText('Password is wrong')).toBeTruthy();

    await user.clear(screen.getByLabelText('Your password'));
    await user.type(screen.getByLabelText('Your password'), 'correct-Horse-battery-77');
    await user.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    expect(await screen.findByText('Two-factor sign-in is off.')).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Set up two-factor sign-in' })).toBeTruthy();
  });

  it('saves the profile, showing a field error under its field first', async () => {
    let me: UserProfile = aUser();
    const patches: unknown[] = [];
    server.use(
      ...signedInAs(() => me),
      http.patch('/api/v1/users/me', async ({ request }) => {
        const body = (await request.json()) as Partial<UserProfile>;
        patches.push(body);
        if (body.organisation === 'x'.repeat(3)) {
          return problem(400, 'validation-error', 'Invalid request', [
            { field: 'body.organisation', message: 'is not allowed here' },
          ]);
        }
        me = { ...me, ...body };
        return HttpResponse.json(me);
      }),
    );
    renderRoutes(routes, '/app/profile');
    const user = userEvent.setup();
    const organisation = await screen.findByLabelText('Organisation (optional)');
    await user.type(organisation, 'xxx');
    await user.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(await screen.findByText('Organisation is not allowed here')).toBeTruthy();

    await user.clear(organisation);
    await user.type(organisation, 'Analytical Engines Ltd');
    await user.clear(screen.getByLabelText('Display name'));
    await user.type(screen.getByLabelText('Display name'), 'Ada Lovelace');
    await user.selectOptions(screen.getByLabelText('Time zone'), 'Europe/London');
    await user.click(screen.getByRole('button', { name: 'Save profile' }));

    expect(await screen.findByText('Profile saved.')).toBeTruthy();
    expect(patches.at(-1)).toEqual({
      displayName: 'Ada Lovelace',
      organisation: 'Analytical Engines Ltd',
      locale: 'en',
      timezone: 'Europe/London',
    });
    await waitFor(() => expect(me.displayName).toBe('Ada Lovelace'));
  });
});
