import { useId } from 'react';
import type { UsageRow } from '../../../../contracts/aide/usage.js';
import { featureLabel, formatCount, formatUsd, providerLabel } from './usage-format.js';

const cell = 'px-3 py-2 whitespace-nowrap';
const numeric = `${cell} text-right tabular-nums`;

const rowKey = (r: UsageRow) => `${r.userId}|${r.provider}|${r.model ?? ''}|${r.feature}`;

function CostCell({ row }: { row: UsageRow }) {
  return (
    <td className={numeric}>
      {formatUsd(row.costUsd)}
      {row.unpricedRequests > 0 && (
        <span className="block text-xs text-amber-800 dark:text-amber-300">
          + {formatCount(row.unpricedRequests)} unpriced
        </span>
      )}
    </td>
  );
}

/**
 * One row per user, provider, model and feature, in the server's order (most costly first). The
 * user column is there for admins, who see several users; `userName` turns an id into an e-mail.
 * On a narrow screen the table scrolls inside its focusable box, not the page.
 */
export function UsageTable({
  rows,
  showUser,
  userName,
}: {
  rows: UsageRow[];
  showUser: boolean;
  userName: (userId: string) => string;
}) {
  const captionId = useId();
  return (
    <section
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
      tabIndex={0}
      aria-labelledby={captionId}
      className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
    >
      <table className="w-full text-left text-sm">
        <caption id={captionId} className="px-3 pt-3 text-left font-semibold">
          Usage by {showUser ? 'user, ' : ''}provider, model and feature
        </caption>
        <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
          <tr>
            {showUser && (
              <th scope="col" className={cell}>
                User
              </th>
            )}
            <th scope="col" className={cell}>
              Feature
            </th>
            <th scope="col" className={cell}>
              Provider
            </th>
            <th scope="col" className={cell}>
              Model
            </th>
            <th scope="col" className={`${cell} text-right`}>
              Requests
            </th>
            <th scope="col" className={`${cell} text-right`}>
              From cache
            </th>
            <th scope="col" className={`${cell} text-right`}>
              Built-in instead
            </th>
            <th scope="col" className={`${cell} text-right`}>
              Input tokens
            </th>
            <th scope="col" className={`${cell} text-right`}>
              Output tokens
            </th>
            <th scope="col" className={`${cell} text-right`}>
              Cost
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {showUser && (
                <th scope="row" className={`${cell} font-medium`}>
                  {userName(row.userId)}
                </th>
              )}
              <td className={cell}>{featureLabel(row.feature)}</td>
              <td className={cell}>{providerLabel(row.provider)}</td>
              <td className={cell}>{row.model ?? '—'}</td>
              <td className={numeric}>{formatCount(row.requests)}</td>
              <td className={numeric}>{formatCount(row.cachedRequests)}</td>
              <td className={numeric}>{formatCount(row.fallbackRequests)}</td>
              <td className={numeric}>{formatCount(row.inputTokens)}</td>
              <td className={numeric}>{formatCount(row.outputTokens)}</td>
              <CostCell row={row} />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
