import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { UsageQuery, UsageResponse } from '../../../../contracts/aide/usage.js';
import { useSession } from '../../../shared/auth/session.js';
import { EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { useAdminUsers } from '../../admin/hooks.js';
import { formatWindow } from '../../audit/components/audit-format.js';
import { UsageControls, type UserChoice } from '../components/usage-controls.js';
import {
  parseUsageFilters,
  type UsageFilters,
  usageFiltersToParams,
  usageWindow,
} from '../components/usage-filters.js';
import { UsageLoadError } from '../components/usage-load-error.js';
import { UsageTable } from '../components/usage-table.js';
import { UsageTiles } from '../components/usage-tiles.js';
import { useUsage } from '../hooks.js';

/** Most users the admin's user filter lists (the admin API's page limit); others show by id. */
const USER_LIST_LIMIT = 200;

/** Admins pick among users by e-mail; the list is theirs only, and ids stand in until it loads. */
function useUserDirectory(isAdmin: boolean) {
  const users = useAdminUsers({ limit: USER_LIST_LIMIT }, isAdmin);
  return useMemo(() => {
    const items = users.data?.items ?? [];
    const emails = new Map(items.map((u) => [u.id, u.email]));
    const choices: UserChoice[] = items.map((u) => ({ id: u.id, label: u.email }));
    return { choices, name: (id: string) => emails.get(id) ?? id };
  }, [users.data]);
}

function UsageResults({
  usage,
  isAdmin,
  userName,
}: {
  usage: UsageResponse;
  isAdmin: boolean;
  userName: (id: string) => string;
}) {
  return (
    <>
      <UsageTiles totals={usage.totals} />
      {usage.rows.length === 0 ? (
        <EmptyState title="No AI requests in this window">
          Questions asked and insights generated on a dataset’s page are counted here.
        </EmptyState>
      ) : (
        <UsageTable rows={usage.rows} showUser={isAdmin} userName={userName} />
      )}
    </>
  );
}

/**
 * "AI usage": requests, LLM tokens and cost of AIDE over the last 7, 30 or 90 days (the window
 * in the address), as totals and per user, provider, model and feature. Analysts see their own;
 * admins everyone's, or one user's.
 */
export function Component() {
  const { user } = useSession();
  const isAdmin = Boolean(user?.roles.includes('admin'));
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => parseUsageFilters(new URLSearchParams(search)), [search]);

  // The window ends "now" as of the last change of view or Refresh, so the query keeps its key.
  const [anchor, setAnchor] = useState({ search, nowMs: Date.now() });
  if (anchor.search !== search) setAnchor({ search, nowMs: Date.now() });
  const window = useMemo(() => usageWindow(filters.range, anchor.nowMs), [filters.range, anchor.nowMs]);
  const query = useMemo<UsageQuery>(
    () => ({
      ...window,
      // Only an admin's choice is sent: anyone else's usage is always their own.
      ...(isAdmin && filters.userId ? { userId: filters.userId } : {}),
    }),
    [window, filters.userId, isAdmin],
  );
  const usage = useUsage(query);
  const directory = useUserDirectory(isAdmin);

  const update = (next: UsageFilters) => setParams(usageFiltersToParams(next));
  const refresh = () => setAnchor({ search, nowMs: Date.now() });

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold">AI usage</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          {isAdmin ? 'Questions and insights asked of AIDE' : 'Your questions and insights'}, their LLM tokens
          and cost: {formatWindow(window.from, window.to)}.
        </p>
      </div>
      <UsageControls
        filters={filters}
        users={isAdmin ? directory.choices : undefined}
        onChange={update}
        onRefresh={refresh}
        refreshing={usage.isFetching}
      />
      <section aria-label="Usage" aria-busy={usage.isFetching} className="flex flex-col gap-6">
        {usage.isError ? (
          <UsageLoadError
            error={usage.error}
            retrying={usage.isFetching}
            onRetry={() => void usage.refetch()}
          />
        ) : usage.data ? (
          <UsageResults usage={usage.data} isAdmin={isAdmin} userName={directory.name} />
        ) : (
          <>
            <Skeleton className="h-24 w-full" />
            <Skeleton className="h-48 w-full" />
          </>
        )}
      </section>
    </div>
  );
}
