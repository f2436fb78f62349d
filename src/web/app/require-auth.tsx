import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../shared/auth/session.js';
import { Skeleton } from '../shared/ui/card.js';

/** The hub's routes need a session; without one, sign-in first and come back here after. */
export function RequireAuth() {
  const { user, expired } = useSession();
  const location = useLocation();
  if (user === undefined) {
    return (
      <div
        role="status"
        aria-busy="true"
        aria-label="Loading your session"
        className="mx-auto max-w-5xl space-y-3 p-6"
      >
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-32 w-full" />
      </div>
    );
  }
  if (!user) {
    const from = `${location.pathname}${location.search}`;
    return (
      <Navigate to={`/app/sign-in?from=${encodeURIComponent(from)}${expired ? '&expired=1' : ''}`} replace />
    );
  }
  return <Outlet />;
}
