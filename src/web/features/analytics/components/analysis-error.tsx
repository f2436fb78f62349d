import { ApiError } from '../../../shared/api/http.js';

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
