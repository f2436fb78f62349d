import { ApiError } from '../../../shared/api/http.js';

/** Whether an error is the server's "your role may not read audit logs". */
export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}

/** A failed audit read in words: the problem's detail and the fields it named. */
export function AuditProblem({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const fields = api?.problem?.errors ?? [];
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-medium">Could not load {what}</p>
      <p className="mt-1">{error instanceof Error ? error.message : String(error)}</p>
      {fields.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {fields.map((f) => (
            <li key={`${f.field}:${f.message}`}>
              <code>{f.field}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Shown instead of the dashboard when the caller's role cannot read audit logs. */
export function ForbiddenNotice() {
  return (
    <div
      role="alert"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50"
    >
      <p className="font-medium">Your role cannot read the audit log</p>
      <p className="mt-1 text-sm">
        The audit dashboard needs the analyst or admin role. Ask an admin to change your role.
      </p>
    </div>
  );
}
