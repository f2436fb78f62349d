import { useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { DatasetListQuery } from '../../../../contracts/axi/datasets.js';
import { ApiError } from '../../../shared/api/http.js';
import { Button } from '../../../shared/ui/button.js';
import { EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { useDatasets, useDeleteDataset } from '../hooks.js';
import { DatasetsDeleteDialog } from './datasets-delete-dialog.js';
import { useIsPhone } from './datasets-media.js';
import { type DatasetItem, DatasetsCards, DatasetsTable } from './datasets-table.js';

export const pageSize = 20;
const searchDebounceMs = 300;

type Sort = DatasetListQuery['sort'];
const sortOptions: { value: Sort; label: string }[] = [
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: 'name', label: 'Name A–Z' },
  { value: '-name', label: 'Name Z–A' },
  { value: '-rowCount', label: 'Most rows' },
  { value: 'rowCount', label: 'Fewest rows' },
];
const isSort = (value: string | null): value is Sort => sortOptions.some((o) => o.value === value);

/** Search, sort and page live in the address, so back/forward and a shared link keep them. */
function useListParams() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const rawSort = params.get('sort');
  const sort: Sort = isSort(rawSort) ? rawSort : '-createdAt';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const update = (change: { q?: string; sort?: Sort; page?: number }) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        const set = (key: string, value: string | undefined) =>
          value ? next.set(key, value) : next.delete(key);
        if (change.q !== undefined) set('q', change.q.trim());
        if (change.sort !== undefined) set('sort', change.sort === '-createdAt' ? undefined : change.sort);
        if (change.page !== undefined) set('page', change.page > 1 ? String(change.page) : undefined);
        return next;
      },
      { replace: true },
    );
  return { search, sort, page, update };
}

/** The caller's datasets (everyone's for an admin): search, sort, pages, delete. */
export function DatasetsList({ showOwner, canDelete }: { showOwner: boolean; canDelete: boolean }) {
  const { search, sort, page, update } = useListParams();
  const [searchInput, setSearchInput] = useState(search);
  const [toDelete, setToDelete] = useState<DatasetItem | undefined>(undefined);
  const isPhone = useIsPhone();
  const toast = useToast();
  const searchId = useId();
  const sortId = useId();

  // `update` changes identity whenever the params do; effects call the latest one.
  const updateRef = useRef(update);
  updateRef.current = update;

  // Debounce typing into the address (and so into the query).
  useEffect(() => {
    if (searchInput.trim() === search) return;
    const timer = setTimeout(() => updateRef.current({ q: searchInput, page: 1 }), searchDebounceMs);
    return () => clearTimeout(timer);
  }, [searchInput, search]);

  const query = {
    limit: pageSize,
    offset: (page - 1) * pageSize,
    sort,
    ...(search ? { search } : {}),
  };
  const list = useDatasets(query);
  const remove = useDeleteDataset();

  const data = list.data;
  const total = data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));

  // A page that emptied (its last dataset deleted elsewhere) moves back to the last real page.
  useEffect(() => {
    if (data && data.items.length === 0 && total > 0 && page > pageCount)
      updateRef.current({ page: pageCount });
  }, [data, total, page, pageCount]);

  const confirmDelete = () => {
    if (!toDelete) return;
    const target = toDelete;
    remove.mutate(target.id, {
      onSuccess: () => {
        toast('success', `Deleted “${target.name}”.`);
        setToDelete(undefined);
      },
      onError: (error) => {
        toast(
          'error',
          `“${target.name}” was not deleted: ${error instanceof ApiError ? error.message : 'try again.'}`,
        );
        setToDelete(undefined);
      },
    });
  };

  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);

  return (
    <section aria-labelledby="datasets-heading" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="datasets-heading" className="text-lg font-semibold">
          {showOwner ? 'All datasets' : 'Your datasets'}
        </h2>
        <search className="flex w-full flex-wrap items-end gap-3 sm:w-auto">
          <div className="flex min-w-0 flex-1 flex-col gap-1 sm:w-64 sm:flex-none">
            <label htmlFor={searchId} className="text-sm font-medium">
              Search
            </label>
            <input
              id={searchId}
              type="search"
              value={searchInput}
              onChange={(e) => setSearchInput(e.target.value)}
              placeholder="Name or file name"
              maxLength={200}
              className="h-10 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
            />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={sortId} className="text-sm font-medium">
              Sort
            </label>
            <select
              id={sortId}
              value={sort}
              onChange={(e) => update({ sort: e.target.value as Sort, page: 1 })}
              className="h-10 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
            >
              {sortOptions.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        </search>
      </div>

      <div aria-busy={list.isFetching} aria-live="polite" className="flex flex-col gap-4">
        {list.isPending ? (
          <ListSkeleton />
        ) : list.isError && !data ? (
          <ListError error={list.error} onRetry={() => void list.refetch()} />
        ) : data && data.items.length === 0 ? (
          search ? (
            <EmptyState title={`No datasets match “${search}”`}>
              <p>Try another word, or clear the search.</p>
              <Button
                variant="secondary"
                className="mt-3"
                onClick={() => {
                  setSearchInput('');
                  update({ q: '', page: 1 });
                }}
              >
                Clear search
              </Button>
            </EmptyState>
          ) : (
            <EmptyState title="No datasets yet">
              <p>Upload a CSV to get started: drop a file on the upload panel or choose one.</p>
            </EmptyState>
          )
        ) : data ? (
          <>
            {list.isError && <ListError error={list.error} onRetry={() => void list.refetch()} />}
            {isPhone ? (
              <DatasetsCards
                items={data.items}
                showOwner={showOwner}
                canDelete={canDelete}
                onDelete={setToDelete}
              />
            ) : (
              <DatasetsTable
                items={data.items}
                showOwner={showOwner}
                canDelete={canDelete}
                onDelete={setToDelete}
              />
            )}
            <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 text-sm">
              <p className="text-slate-600 dark:text-slate-400">
                {first.toLocaleString()}–{last.toLocaleString()} of {total.toLocaleString()}
              </p>
              {pageCount > 1 && (
                <div className="flex items-center gap-2">
                  <Button variant="secondary" disabled={page <= 1} onClick={() => update({ page: page - 1 })}>
                    Previous
                  </Button>
                  <span aria-current="page">
                    Page {page} of {pageCount}
                  </span>
                  <Button
                    variant="secondary"
                    disabled={page >= pageCount}
                    onClick={() => update({ page: page + 1 })}
                  >
                    Next
                  </Button>
                </div>
              )}
            </nav>
          </>
        ) : null}
      </div>

      {toDelete && (
        <DatasetsDeleteDialog
          name={toDelete.name}
          pending={remove.isPending}
          onConfirm={confirmDelete}
          onClose={() => setToDelete(undefined)}
        />
      )}
    </section>
  );
}

function ListSkeleton() {
  return (
    <div className="flex flex-col gap-2" role="status" aria-label="Loading datasets">
      {[0, 1, 2, 3].map((i) => (
        <Skeleton key={i} className="h-12 w-full" />
      ))}
    </div>
  );
}

function ListError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const message =
    error instanceof ApiError ? error.message : 'Something went wrong while loading the datasets.';
  return (
    <div
      role="alert"
      className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-medium">The datasets could not be loaded.</p>
      <p className="mt-1">{message}</p>
      <Button variant="secondary" className="mt-3" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}
