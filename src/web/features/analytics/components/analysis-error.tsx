import type { ReactNode } from 'react';
import { ApiError } from '../../../shared/api/http.js';
import { Skeleton } from '../../../shared/ui/card.js';

/** An analysis failure in words: the server's detail, and each field it named. */
export function AnalysisError({ error }: { error: unknown }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const title =
    api?.status === 403
      ? 'Your role cannot run analyses'
      : api?.status === 422
        ? (api.problem?.title ?? 'The analysis cannot be done this way')
        : api?.status === 400
          ? 'Check the chosen columns'
          : 'The analysis failed';
  const detail =
    api?.status === 403
      ? 'Running analyses needs the analyst or admin role. Ask an admin to change your role.'
      : error instanceof Error
        ? error.message
        : String(error);
  const fieldMessages = api?.problem?.errors?.map((e) => e.message) ?? [];
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-medium">{title}</p>
      {fieldMessages.length > 1 ? (
        <ul className="mt-1 list-disc pl-5">
          {fieldMessages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : (
        <p className="mt-1">{detail}</p>
      )}
    </div>
  );
}

/** Whether the signed-in roles may run analyses (the server's rule: analyst or admin). */
export function canRunAnalyses(roles: readonly string[] | undefined): boolean {
  return Boolean(roles?.some((r) => r === 'analyst' || r === 'admin'));
}

/** Said under a run button when the caller's role cannot run analyses. */
export function RoleNotice({ allowed }: { allowed: boolean }) {
  if (allowed) return null;
  return (
    <p className="text-sm text-slate-600 dark:text-slate-400">
      Running analyses needs the analyst or admin role.
    </p>
  );
}

/**
 * Where an analysis' outcome appears, announced politely: its failure, a skeleton while it runs,
 * then the result, or the empty state when there is nothing yet (null while that is unknown).
 */
export function AnalysisOutcome({
  error,
  pending,
  result,
  empty,
}: {
  error: unknown;
  pending: boolean;
  result: ReactNode;
  empty: ReactNode;
}) {
  return (
    <>
      <AnalysisError error={error} />
      <div aria-live="polite" aria-busy={pending}>
        {pending ? <Skeleton className="h-72 w-full" /> : (result ?? empty)}
      </div>
    </>
  );
}
