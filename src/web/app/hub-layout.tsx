import { Suspense } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useSession } from '../shared/auth/session.js';
import { Button } from '../shared/ui/button.js';
import { Skeleton } from '../shared/ui/card.js';
import { ErrorBoundary } from '../shared/ui/error-boundary.js';
import { ThemeToggle } from '../shared/ui/theme.js';

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${
    isActive ? 'bg-slate-200 dark:bg-slate-800' : 'hover:bg-slate-100 dark:hover:bg-slate-800/60'
  }`;

/** The signed-in hub: header with navigation and the account, then the page. */
export function HubLayout() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <div className="min-h-screen">
      <a
        href="#content"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2 dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-2 gap-y-1 px-4 py-2">
          <Link to="/app" className="mr-4 text-lg font-bold tracking-wide">
            NEXUS
          </Link>
          {/* On a phone the navigation takes its own row under the name and the account controls. */}
          <nav
            aria-label="Main"
            className="order-last flex w-full flex-wrap gap-1 md:order-none md:w-auto md:flex-1"
          >
            <NavLink to="/app" end className={navClass}>
              Datasets
            </NavLink>
            <NavLink to="/app/profile" className={navClass}>
              Profile
            </NavLink>
            {user?.roles.some((r) => r === 'admin' || r === 'analyst') && (
              <NavLink to="/app/audit" className={navClass}>
                Audit log
              </NavLink>
            )}
            {user?.roles.some((r) => r === 'admin' || r === 'analyst') && (
              <NavLink to="/app/ai-usage" className={navClass}>
                AI usage
              </NavLink>
            )}
            {user?.roles.includes('admin') && (
              <NavLink to="/app/admin/users" className={navClass}>
                Users
              </NavLink>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            <ThemeToggle />
            <span className="hidden text-sm text-slate-600 lg:inline dark:text-slate-400">{user?.email}</span>
            <Button
              variant="ghost"
              onClick={async () => {
                await signOut();
                navigate('/app/sign-in');
              }}
            >
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="content" className="mx-auto max-w-6xl px-4 py-6">
        <ErrorBoundary>
          <Suspense fallback={<Skeleton className="h-40 w-full" />}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
