import { screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { mockApi } from '../../../test/msw.js';
import { aUser, problem, renderRoutes, tokens, WhereAmI } from '../test-app.js';
import { Component as SignInPage } from './sign-in-page.js';

const server = mockApi();

const routes = [
  { path: '/app/sign-in', Component: SignInPage },
  { path: '/app/sign-up', element: <h1>Sign-up page</h1> },
  { path: '/app/*', Component: WhereAmI },
];

async function signIn(email = 'ada@example.com', password = 'correct-Horse-battery-77') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('E-mail'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('sign-in page', () => {
  it('says the e-mail or password is wrong, once, and clears the password', async () => {
    server.use(
      http.post('/api/v1/auth/token', () =>
        problem(401, 'invalid-credentials', 'The e-mail or password is wrong.'),
      ),
    );
    renderRoutes(routes, '/app/sign-in');
    await signIn('ada@example.com', 'wrong-password-1');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The e-mail or password is wrong.');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(screen.getByLabelText('Password'));
  });

  it('says when sign-in is rate limited, with the server’s wait time', async () => {
    server.use(
      http.post('/api/v1/auth/token', () =>
        problem(429, 'rate-limited', 'Too many sign-in attempts for this account; retry in 42 seconds.'),
      ),
    );
    renderRoutes(routes, '/app/sign-in');
    await signIn();
    expect((await screen.findByRole('alert')).textContent).toMatch(/Too many sign-in attempts.*42 seconds/);
  });

  it('asks for the authenticator code when 2FA is on, then goes to `from`', async () => {
    const sent: unknown[] = [];
    server.use(
      http.post('/api/v1/auth/token', () => HttpResponse.json({ mfaRequired: true, challengeToken: 'ch-1' })),
      http.post('/api/v1/auth/token/2fa', async ({ request }) => {
        const body = (await request.json()) as { challengeToken: string; code: string };
        sent.push(body);
        if (body.code !== '123456') return problem(401, 'invalid-two-factor-code', 'The code is wrong.');
        return HttpResponse.json(tokens);
      }),
      http.get('/api/v1/users/me', () => HttpResponse.json(aUser({ twoFactorEnabled: true }))),
    );
    renderRoutes(routes, `/app/sign-in?from=${encodeURIComponent('/app/datasets/42?tab=rows')}`);
    const user = await signIn();

    expect(await screen.findByRole('heading', { level: 1, name: 'Two-factor sign-in' })).toBeTruthy();
    const code = screen.getByLabelText('Authentication code');
    expect(document.activeElement).toBe(code);

    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/code is wrong, expired or already used/);

    await user.type(screen.getByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));

    expect((await screen.findByTestId('location')).textContent).toBe('/app/datasets/42?tab=rows');
    expect(sent).toEqual([
      { challengeToken: 'ch-1', code: '654321' },
      { challengeToken: 'ch-1', code: '123456' },
    ]);
  });

  it('accepts a recovery code instead of the app’s code', async () => {
    let sentCode: string | undefined;
    server.use(
      http.post('/api/v1/auth/token', () => HttpResponse.json({ mfaRequired: true, challengeToken: 'ch-2' })),
      http.post('/api/v1/auth/token/2fa', async ({ request }) => {
        sentCode = ((await request.json()) as { code: string }).code;
        return HttpResponse.json(tokens);
      }),
      http.get('/api/v1/users/me', () => HttpResponse.json(aUser({ twoFactorEnabled: true }))),
    );
    renderRoutes(routes, '/app/sign-in');
    const user = await signIn();
    await user.click(await screen.findByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(screen.getByLabelText('Recovery code'), 'abcd-efgh-ijkl-mnop');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect((await screen.findByTestId('location')).textContent).toBe('/app');
    expect(sentCode).toBe('abcd-efgh-ijkl-mnop');
  });

  it('sends an expired challenge back to the password step', async () => {
    server.use(
      http.post('/api/v1/auth/token', () => HttpResponse.json({ mfaRequired: true, challengeToken: 'ch-3' })),
      http.post('/api/v1/auth/token/2fa', () =>
        problem(401, 'invalid-challenge', 'The sign-in challenge is unknown, expired or used up.'),
      ),
    );
    renderRoutes(routes, '/app/sign-in');
    const user = await signIn();
    await user.type(await screen.findByLabelText('Authentication code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/took too long/);
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeTruthy();
  });

  it('ignores a `from` that leaves the hub', async () => {
    server.use(
      http.post('/api/v1/auth/token', () => HttpResponse.json(tokens)),
      http.get('/api/v1/users/me', () => HttpResponse.json(aUser())),
    );
    renderRoutes(routes, `/app/sign-in?from=${encodeURIComponent('//evil.example/app')}`);
    await signIn();
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/app'));
  });

  it('explains an expired session and links to sign-up', async () => {
    renderRoutes(routes, '/app/sign-in?expired=1&from=%2Fapp%2Fprofile');
    expect(screen.getByRole('status').textContent).toBe('Your session expired; sign in again.');
    const link = screen.getByRole('link', { name: 'Create an account' });
    expect(link.getAttribute('href')).toBe('/app/sign-up?from=%2Fapp%2Fprofile');
  });
});
