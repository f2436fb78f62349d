import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { createMemoryRouter, type RouteObject, RouterProvider, useLocation } from 'react-router';
import type { AdminUser, UserProfile } from '../../../contracts/axi/auth.js';
import type { Problem } from '../../../contracts/http/problem.js';
import { SessionProvider } from '../../shared/auth/session.js';
import { ToastProvider } from '../../shared/ui/toasts.js';

/**
 * Test helpers for the auth and admin features: the app's real providers (session, queries,
 * toasts) around a memory router, and factories for what the API answers.
 */
export function renderRoutes(routes: RouteObject[], initialPath: string) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [initialPath] });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient };
}

/** Stands in for the hub: says where the router ended up. */
export function WhereAmI() {
  const location = useLocation();
  return <p data-testid="location">{`${location.pathname}${location.search}`}</p>;
}

export function aUser(overrides: Partial<UserProfile> = {}): UserProfile {
  return {
    id: '0b5f1c4e-7c1a-4e3b-9a51-6d2f0f7f0a01',
    email: 'ada@example.com',
    displayName: 'Ada',
    organisation: null,
    locale: 'en',
    timezone: 'UTC',
    roles: ['analyst'],
    twoFactorEnabled: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function anAdminUser(overrides: Partial<AdminUser> = {}): AdminUser {
  return { ...aUser(), disabled: false, lockedUntil: null, ...overrides };
}

export const tokens = { accessToken: 'access-token', tokenType: 'Bearer', expiresIn: 900 } as const;

export function problem(status: number, type: string, detail: string, errors?: Problem['errors']) {
  const body: Problem = {
    type: `/problems/${type}`,
    title: type,
    status,
    detail,
    correlationId: 'test',
    ...(errors ? { errors } : {}),
  };
  return HttpResponse.json(body, { status, headers: { 'content-type': 'application/problem+json' } });
}

/**
 * A browser that signed in before: the session hint is set, the refresh cookie works and
 * /users/me answers `me()` (a function, so a test can change who the server says you are).
 */
export function signedInAs(me: () => UserProfile) {
  localStorage.setItem('nexus-signed-in', '1');
  return [
    http.post('/api/v1/auth/refresh', () => HttpResponse.json(tokens)),
    http.get('/api/v1/users/me', () => HttpResponse.json(me())),
  ];
}
