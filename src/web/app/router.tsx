import { createBrowserRouter } from 'react-router';
import { HubLayout } from './hub-layout.js';
import { RequireAuth } from './require-auth.js';

/**
 * Routes, each page its own chunk (route-level code splitting): `/` is the public landing page,
 * `/app/...` the hub; sign-in and sign-up are public, everything else needs a session.
 */
export const router = createBrowserRouter([
  { path: '/', lazy: () => import('./landing-page.js') },
  { path: '/app/sign-in', lazy: () => import('../features/auth/pages/sign-in-page.js') },
  { path: '/app/sign-up', lazy: () => import('../features/auth/pages/sign-up-page.js') },
  {
    path: '/app',
    element: <RequireAuth />,
    children: [
      {
        element: <HubLayout />,
        children: [
          { index: true, lazy: () => import('../features/datasets/pages/datasets-page.js') },
          { path: 'datasets/:id', lazy: () => import('../features/datasets/pages/dataset-page.js') },
          { path: 'profile', lazy: () => import('../features/auth/pages/profile-page.js') },
          { path: 'admin/users', lazy: () => import('../features/admin/pages/admin-users-page.js') },
        ],
      },
    ],
  },
  { path: '*', lazy: () => import('./not-found-page.js') },
]);
