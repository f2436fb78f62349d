import { ZodError } from 'zod';
import { ApiError } from '../../../shared/api/http.js';
import { Button } from '../../../shared/ui/button.js';
import { UNREADABLE_ANSWER } from './load-error.js';

function describe(error: unknown): { title: string; detail: string; fields: string[] } {
  if (error instanceof ApiError && error.status === 403) {
    return {
      title: 'Your role cannot see AI usage',
      detail: `${error.message} AI usage needs the analyst or admin role; ask an admin to change yours.`,
      fields: [],
    };
  }
  if (error instanceof ZodError) {
    return {
      title: 'Could not load AI usage',
      detail: UNREADABLE_ANSWER,
      fields: [],
    };
  }
  const fields =
    error instanceof ApiError ? (error.problem?.errors ?? []).map((f) => `${f.field}: ${f.message}`) : [];
  return {
    title: 'Could not load AI usage',
    detail: error instanceof Error ? error.message : String(error),
    fields,
  };
}

/** A failed usage load: the server's problem detail (and fields it named), and a way to try again. */
export function UsageLoadError({
  error,
  retrying,
  onRetry,
}: {
  error: unknown;
  retrying: boolean;
  onRetry: () => void;
}) {
  const { title, detail, fields } = describe(error);
  return (
    <div className="space-y-2">
      <div
        role="alert"
        className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
      >
        <p className="font-medium">{title}</p>
        <p className="mt-1">{detail}</p>
        {fields.length > 0 && (
          <ul className="mt-1 list-disc pl-5">
            {fields.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        )}
      </div>
      {/* A role does not change by asking again. */}
      {!(error instanceof ApiError && error.status === 403) && (
        <Button variant="secondary" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Trying again…' : 'Try again'}
        </Button>
      )}
    </div>
  );
}
