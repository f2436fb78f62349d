import { fireEvent, screen } from '@testing-library/react';
import { HttpResponse, http as mock } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RequireAuth } from '../../app/require-auth.js';
import { aUser, renderRoutes, WhereAmI } from '../../features/auth/test-app.js';
import { ApiError, http, onSessionExpired, setAccessToken } from './http.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  onSessionExpired(undefined);
  setAccessToken(undefined);
  localStorage.clear();
});
afterAll(() => server.close());

const tokens = (accessToken: string) => ({ accessToken, tokenType: 'Bearer', expiresIn: 900 });

describe('the HTTP client', () => {
  beforeEach(() => setAccessToken('expired-token'));

  it('refreshes once on a 401, shares the refresh between concurrent calls, and retries with the new token', async () => {
    let refreshes = 0;
    server.use(
      mock.post('/api/v1/auth/refresh', () => {
        refreshes++;
        return HttpResponse.json(tokens('fresh-token'));
      }),
      mock.get('/api/v1/datasets', ({ request }) =>
        request.headers.get('authorization') === 'Bearer fresh-token'
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json({}, { status: 401 }),
      ),
    );
    const [a, b] = await Promise.all([http.get('/api/v1/datasets'), http.get('/api/v1/datasets')]);
    expect([a.data, b.data]).toEqual([{ ok: true }, { ok: true }]);
    expect(refreshes).toBe(1);
  });

  it('ends the session when the refresh is refused, and reports the problem', async () => {
    let expired = 0;
    onSessionExpired(() => expired++);
    server.use(
      mock.post('/api/v1/auth/refresh', () => HttpResponse.json({}, { status: 401 })),
      mock.get('/api/v1/datasets', () =>
        HttpResponse.json(
          {
            type: '/problems/unauthenticated',
            title: 'Authentication required',
            status: 401,
            correlationId: 'c',
          },
          { status: 401 },
        ),
      ),
    );
    const error = await http.get('/api/v1/datasets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(expired).toBe(1);
  });
});

describe('an expired session', () => {
  it('returns to sign-in with the page remembered and says why', async () => {
    localStorage.setItem('nexus-signed-in', '1');
    let refreshAllowed = true;
    server.use(
      mock.post('/api/v1/auth/refresh', () =>
        refreshAllowed ? HttpResponse.json(tokens('first-token')) : HttpResponse.json({}, { status: 401 }),
      ),
      mock.get('/api/v1/users/me', () => HttpResponse.json(aUser())),
      mock.get('/api/v1/datasets', () => HttpResponse.json({}, { status: 401 })),
    );
    // A page of the hub that calls the API when asked.
    const probe = () => (
      <>
        <WhereAmI />
        <button type="button" onClick={() => void http.get('/api/v1/datasets').catch(() => undefined)}>
          Load
        </button>
      </>
    );
    renderRoutes(
      [
        { path: '/app/sign-in', element: <WhereAmI /> },
        { path: '/app', element: <RequireAuth />, children: [{ path: 'datasets/:id', Component: probe }] },
      ],
      '/app/datasets/42?tab=rows',
    );
    expect(await screen.findByTestId('location')).toHaveProperty('textContent', '/app/datasets/42?tab=rows');
    // The access token is now refused and the refresh cookie is gone.
    refreshAllowed = false;
    fireEvent.click(screen.getByRole('button', { name: 'Load' }));
    await screen.findByText(`/app/sign-in?from=${encodeURIComponent('/app/datasets/42?tab=rows')}&expired=1`);
  });
});
