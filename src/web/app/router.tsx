import { createBrowserRouter } from 'react-router';
import { Skeleton } from '../shared/ui/card.js';
import { HubLayout } from './hub-layout.js';
import { RequireAuth } from './require-auth.js';

/**
 * Routes, each page its own chunk (route-level code splitting): `/` is the public landing page,
 * `/app/...` the hub; sign-in and sign-up are public, everything else needs a session.
 */
const loading = (
  <div role="status" aria-busy="true" aria-label="Loading" className="mx-auto max-w-5xl space-y-3 p-6">
    <Skeleton className="h-8 w-48" />
    <Skeleton className="h-32 w-full" />
  </div>
);

export const router = createBrowserRouter([
  { path: '/', lazy: () => import('./landing-page.js'), HydrateFallback: () => loading },
  {
    path: '/app/sign-in',
    lazy: () => import('../features/auth/pages/sign-in-page.js'),
    HydrateFallback: () => loading,
  },
  {
    path: '/app/sign-up',
    lazy: () => import('../features/auth/pages/sign-up-page.js'),
    HydrateFallback: () => loading,
  },
  {
    path: '/app',
    element: <RequireAuth />,
    HydrateFallback: () => loading,
    children: [
      {
        element: <HubLayout />,
        children: [
          { index: true, lazy: () => import('../features/datasets/pages/datasets-page.js') },
          { path: 'datasets/:id', lazy: () => import('../features/datasets/pages/dataset-page.js') },
          { path: 'profile', lazy: () => import('../features/auth/pages/profile-page.js') },
          { path: 'admin/users', lazy: () => import('../features/admin/pages/admin-users-page.js') },
          { path: 'audit', lazy: () => import('../features/audit/pages/audit-page.js') },
          { path: 'ai-usage', lazy: () => import('../features/aide/pages/usage-page.js') },
        ],
      },
    ],
  },
  { path: '*', lazy: () => import('./not-found-page.js'), HydrateFallback: () => loading },
]);
