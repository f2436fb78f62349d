import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { mockApi } from '../../../test/msw.js';
import { aUser, problem, renderRoutes, tokens, WhereAmI } from '../test-app.js';
import { Component as SignUpPage } from './sign-up-page.js';

const server = mockApi();

const routes = [
  { path: '/app/sign-up', Component: SignUpPage },
  { path: '/app/*', Component: WhereAmI },
];

/** The error shown for an input is the one its aria-describedby points at. */
function describedErrorOf(input: HTMLElement): string | undefined {
  const ids = input.getAttribute('aria-describedby')?.split(' ') ?? [];
  return ids
    .map((id) => document.getElementById(id))
    .find((el) => el?.id.endsWith('-error'))
    ?.textContent?.trim();
}

async function fillIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('E-mail'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Create account' }));
  return user;
}

describe('sign-up page', () => {
  it('shows the server’s strength verdict on the password field', async () => {
    server.use(
      http.post('/api/v1/auth/register', () =>
        problem(400, 'validation-error', 'The password is too weak.', [
          {
            field: 'body.password',
            message: 'is too easy to guess (strength 1 of 4, needs 3). Add another word or two.',
          },
        ]),
      ),
    );
    renderRoutes(routes, '/app/sign-up');
    await fillIn('ada@example.com', 'passwordpassword');

    const password = screen.getByLabelText('Password');
    await screen.findByText(/Password is too easy to guess/);
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(describedErrorOf(password)).toBe(
      'Password is too easy to guess (strength 1 of 4, needs 3). Add another word or two.',
    );
    expect(describedErrorOf(screen.getByLabelText('E-mail'))).toBeUndefined();
  });

  it('puts a taken e-mail on the e-mail field', async () => {
    server.use(
      http.post('/api/v1/auth/register', () =>
        problem(409, 'email-taken', 'An account with this e-mail already exists.', [
          { field: 'body.email', message: 'is already registered' },
        ]),
      ),
    );
    renderRoutes(routes, '/app/sign-up');
    await fillIn('ada@example.com', 'correct-Horse-battery-77');
    await screen.findByText('E-mail is already registered');
    expect(describedErrorOf(screen.getByLabelText('E-mail'))).toBe('E-mail is already registered');
  });

  it('checks the length with the contract before asking the server, and counts as you type', async () => {
    let calls = 0;
    server.use(
      http.post('/api/v1/auth/register', () => {
        calls++;
        return HttpResponse.json({}, { status: 500 });
      }),
    );
    renderRoutes(routes, '/app/sign-up');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Password'), 'short');
    expect(screen.getByText('5 of 12 characters: 7 more to go.')).toBeTruthy();
    await user.type(screen.getByLabelText('E-mail'), 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(describedErrorOf(screen.getByLabelText('Password'))).toBe(
      'Password must be at least 12 characters',
    );
    expect(calls).toBe(0);
  });

  it('signs the new user in and lands on /app', async () => {
    let registered: unknown;
    server.use(
      http.post('/api/v1/auth/register', async ({ request }) => {
        registered = await request.json();
        return HttpResponse.json(aUser(), { status: 201 });
      }),
      http.post('/api/v1/auth/token', () => HttpResponse.json(tokens)),
      http.get('/api/v1/users/me', () => HttpResponse.json(aUser())),
    );
    renderRoutes(routes, '/app/sign-up');
    await fillIn('Ada@Example.com', 'correct-Horse-battery-77');
    expect((await screen.findByTestId('location')).textContent).toBe('/app');
    expect(registered).toEqual({ email: 'ada@example.com', password: 'correct-Horse-battery-77' });
  });
});
