import { useHistory } from '../hooks.js';

/** The caller's recent questions on this dataset; choosing one asks it again. */
export function QuestionHistory({
  datasetId,
  onAsk,
  disabled,
}: {
  datasetId: string;
  onAsk: (question: string) => void;
  disabled: boolean;
}) {
  const history = useHistory(datasetId);
  const items = history.data?.items ?? [];
  // Nothing asked yet (or the history is unavailable): the box above is all there is to say.
  if (items.length === 0) return null;
  // The same question asked twice is offered once, at its newest place.
  const seen = new Set<string>();
  const unique = items.filter((q) => !seen.has(q.question) && seen.add(q.question));
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-medium">Your recent questions</h3>
      <ul className="divide-y divide-slate-200 rounded-md border border-slate-200 dark:divide-slate-700 dark:border-slate-700">
        {unique.map((q) => (
          <li key={q.id} className="flex flex-wrap items-baseline justify-between gap-x-3 px-3 py-2">
            <button
              type="button"
              disabled={disabled}
              onClick={() => onAsk(q.question)}
              className="min-w-0 text-left text-sm break-words text-indigo-700 hover:underline disabled:cursor-not-allowed disabled:opacity-60 dark:text-indigo-300"
            >
              <span className="sr-only">Ask again: </span>
              {q.question}
            </button>
            <span className="text-xs text-slate-600 dark:text-slate-400">
              {q.understood
                ? `${q.rowCount.toLocaleString('en-US')}${q.truncated ? '+' : ''} ${q.rowCount === 1 ? 'row' : 'rows'}`
                : 'not understood'}{' '}
              · <time dateTime={q.createdAt}>{new Date(q.createdAt).toLocaleString()}</time>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
