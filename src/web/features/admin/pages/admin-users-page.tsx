import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { AdminUpdateUserBody, AdminUser } from '../../../../contracts/axi/auth.js';
import { ApiError } from '../../../shared/api/http.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { TextField } from '../../../shared/ui/text-field.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { UserRow } from '../components/user-row.js';
import { useAdminUsers, useUpdateUser } from '../hooks.js';

const pageSize = 20;

function AdminsOnly() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Users</h1>
      <Card>
        <p className="font-medium">This page is for administrators only.</p>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          If you need to manage accounts, ask an administrator to give you the admin role.{' '}
          <Link to="/app" className="font-medium text-indigo-700 underline dark:text-indigo-300">
            Back to your datasets
          </Link>
        </p>
      </Card>
    </div>
  );
}

function describeChange(user: AdminUser, changes: AdminUpdateUserBody): string {
  if (changes.disabled === true) return `${user.email} is disabled; their sign-ins have ended.`;
  if (changes.disabled === false) return `${user.email} is enabled again.`;
  return `Roles of ${user.email}: ${(changes.roles ?? []).join(', ')}.`;
}

/** `/app/admin/users`: every account, its roles, and enable/disable (admins only). */
export function Component() {
  const { user: me } = useSession();
  const isAdmin = me?.roles.includes('admin') ?? false;
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const [search, setSearch] = useState(q);

  // Typing waits for a pause before asking the server; a new search starts at page 1.
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = setTimeout(() => {
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (search.trim()) next.set('q', search.trim());
          else next.delete('q');
          next.delete('page');
          return next;
        },
        { replace: true },
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [search, q, setParams]);

  const query = { limit: pageSize, offset: (page - 1) * pageSize, ...(q ? { q } : {}) };
  const users = useAdminUsers(query, isAdmin);
  const update = useUpdateUser();
  const [changeError, setChangeError] = useState<string | undefined>();

  if (!isAdmin || (users.error instanceof ApiError && users.error.status === 403)) return <AdminsOnly />;

  const goToPage = (n: number) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (n > 1) next.set('page', String(n));
      else next.delete('page');
      return next;
    });

  const change = (user: AdminUser, changes: AdminUpdateUserBody) => {
    setChangeError(undefined);
    update.mutate(
      { id: user.id, changes },
      {
        onSuccess: () => toast('success', describeChange(user, changes)),
        onError: (err) => {
          const detail = err instanceof ApiError ? (err.problem?.detail ?? err.message) : err.message;
          setChangeError(`Could not change ${user.email}: ${detail}`);
        },
      },
    );
  };

  const data = users.data;
  const total = data?.total ?? 0;
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-bold">Users</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Give people roles, or disable an account to end its sign-ins. Analysts upload and analyse; viewers
          only read. Every account keeps at least one role.
        </p>
      </div>
      <search className="max-w-sm">
        <TextField
          label="Search by e-mail or name"
          type="search"
          name="q"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </search>
      {changeError && (
        <div
          role="alert"
          className="flex items-start justify-between gap-3 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <span>{changeError}</span>
          <button type="button" className="font-medium underline" onClick={() => setChangeError(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {users.isPending ? (
        <div role="status" aria-busy="true" className="space-y-2">
          <span className="sr-only">Loading users…</span>
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-14 w-full" />
          ))}
        </div>
      ) : users.isError && !data ? (
        <div
          role="alert"
          className="rounded-lg border border-red-300 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950"
        >
          <p className="font-medium">The users could not be loaded.</p>
          <p className="mt-1 text-sm">{users.error.message}</p>
          <Button variant="secondary" className="mt-3" onClick={() => users.refetch()}>
            Try again
          </Button>
        </div>
      ) : data && data.items.length === 0 ? (
        <EmptyState title={q ? `No user matches “${q}”.` : 'No users yet.'}>
          {q ? (
            <Button variant="secondary" onClick={() => setSearch('')}>
              Clear the search
            </Button>
          ) : (
            'People appear here once they sign up.'
          )}
        </EmptyState>
      ) : data ? (
        <>
          <div className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table className="w-full text-left text-sm max-md:block" aria-busy={users.isFetching}>
              <caption className="sr-only">
                Users {first} to {last} of {total}
              </caption>
              <thead className="bg-slate-50 text-xs tracking-wide text-slate-700 uppercase max-md:sr-only dark:bg-slate-800/60 dark:text-slate-300">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    User
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Roles
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2 text-right">
                    Account
                  </th>
                </tr>
              </thead>
              <tbody className="max-md:block">
                {data.items.map((u) => (
                  <UserRow
                    key={u.id}
                    user={u}
                    isSelf={u.id === me?.id}
                    pending={update.isPending && update.variables?.id === u.id}
                    onChange={(changes) => change(u, changes)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <nav
            aria-label="Pages of users"
            className="flex flex-wrap items-center justify-between gap-2 text-sm"
          >
            <p className="text-slate-700 dark:text-slate-300">
              {first}–{last} of {total}
            </p>
            <div className="flex gap-2">
              <Button variant="secondary" disabled={page <= 1} onClick={() => goToPage(page - 1)}>
                Previous
              </Button>
              <Button variant="secondary" disabled={page >= lastPage} onClick={() => goToPage(page + 1)}>
                Next
              </Button>
            </div>
          </nav>
        </>
      ) : null}
    </div>
  );
}
