import type { UsageResponse } from '../../../../contracts/aide/usage.js';
import { formatCount, formatUsd, unpricedNote } from './usage-format.js';

type Totals = UsageResponse['totals'];

interface Tile {
  key: string;
  label: string;
  value: string;
  note?: string | undefined;
}

function tilesOf(totals: Totals): Tile[] {
  return [
    { key: 'requests', label: 'Requests', value: formatCount(totals.requests) },
    { key: 'cached', label: 'Answered from the cache', value: formatCount(totals.cachedRequests) },
    {
      key: 'fallback',
      label: 'Answered by the built-in engine',
      value: formatCount(totals.fallbackRequests),
      note: 'instead of the LLM, which failed or was rate-limited',
    },
    { key: 'input-tokens', label: 'Input tokens', value: formatCount(totals.inputTokens) },
    { key: 'output-tokens', label: 'Output tokens', value: formatCount(totals.outputTokens) },
    {
      key: 'cost',
      label: 'Cost (USD)',
      value: formatUsd(totals.costUsd),
      note: unpricedNote(totals.unpricedRequests),
    },
  ];
}

/** The window's totals as tiles: a term and its figure each, with a note where one is due. */
export function UsageTiles({ totals }: { totals: Totals }) {
  return (
    <div>
      <h2 className="sr-only">Totals</h2>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-6">
        {tilesOf(totals).map((tile) => (
          <div
            key={tile.key}
            data-testid={`usage-${tile.key}`}
            className="flex min-w-0 flex-col rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900"
          >
            <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">{tile.label}</dt>
            <dd
              className="mt-1 text-xl font-semibold tabular-nums break-words"
              data-testid={`usage-${tile.key}-value`}
            >
              {tile.value}
            </dd>
            {tile.note && (
              <dd
                className={`mt-1 text-xs ${
                  tile.key === 'cost'
                    ? 'text-amber-800 dark:text-amber-300'
                    : 'text-slate-600 dark:text-slate-400'
                }`}
                data-testid={`usage-${tile.key}-note`}
              >
                {tile.note}
              </dd>
            )}
          </div>
        ))}
      </dl>
    </div>
  );
}
