import { Link } from 'react-router';
import type { DatasetList } from '../../../../contracts/axi/datasets.js';
import { Button } from '../../../shared/ui/button.js';
import { formatBytes, formatCount, formatDateTime, formatRelative } from './datasets-format.js';

export type DatasetItem = DatasetList['items'][number];

interface Props {
  items: DatasetItem[];
  showOwner: boolean;
  canDelete: boolean;
  onDelete: (item: DatasetItem) => void;
}

const linkClass = 'font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300';
const secondary = 'text-slate-600 dark:text-slate-400';

function Created({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** The datasets as a table (wide screens). */
export function DatasetsTable({ items, showOwner, canDelete, onDelete }: Props) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs tracking-wide text-slate-700 uppercase dark:border-slate-800 dark:bg-slate-800/50 dark:text-slate-300">
          <tr>
            <th scope="col" className="px-4 py-3 font-semibold">
              Name
            </th>
            <th scope="col" className="px-4 py-3 font-semibold">
              File
            </th>
            <th scope="col" className="px-4 py-3 text-right font-semibold">
              Rows
            </th>
            <th scope="col" className="px-4 py-3 text-right font-semibold">
              Columns
            </th>
            <th scope="col" className="px-4 py-3 text-right font-semibold">
              Size
            </th>
            <th scope="col" className="px-4 py-3 font-semibold">
              Created
            </th>
            {showOwner && (
              <th scope="col" className="px-4 py-3 font-semibold">
                Owner
              </th>
            )}
            {canDelete && (
              <th scope="col" className="px-4 py-3">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {items.map((item) => (
            <tr key={item.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/40">
              <th scope="row" className="max-w-64 px-4 py-3 font-normal">
                <Link to={`/app/datasets/${item.id}`} className={`${linkClass} break-words`}>
                  {item.name}
                </Link>
                {item.rejectedRowCount > 0 && (
                  <span className="mt-0.5 block text-xs text-amber-800 dark:text-amber-300">
                    {formatCount(item.rejectedRowCount)} rows set aside
                  </span>
                )}
              </th>
              <td
                className={`max-w-56 truncate px-4 py-3 ${secondary}`}
                title={item.originalFilename ?? undefined}
              >
                {item.originalFilename ?? '—'}
              </td>
              <td className="px-4 py-3 text-right tabular-nums">{formatCount(item.rowCount)}</td>
              <td className="px-4 py-3 text-right tabular-nums">{formatCount(item.columnCount)}</td>
              <td className="px-4 py-3 text-right whitespace-nowrap tabular-nums">
                {formatBytes(item.sizeBytes)}
              </td>
              <td className={`px-4 py-3 whitespace-nowrap ${secondary}`}>
                <Created iso={item.createdAt} />
              </td>
              {showOwner && (
                <td className={`px-4 py-3 font-mono text-xs ${secondary}`} title={item.ownerId}>
                  {item.ownerId.slice(0, 8)}
                </td>
              )}
              {canDelete && (
                <td className="px-4 py-2 text-right">
                  <Button variant="ghost" onClick={() => onDelete(item)} aria-label={`Delete ${item.name}`}>
                    Delete
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The datasets as stacked cards (phones). */
export function DatasetsCards({ items, showOwner, canDelete, onDelete }: Props) {
  return (
    <ul className="flex flex-col gap-3">
      {items.map((item) => (
        <li
          key={item.id}
          className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <div className="flex items-start justify-between gap-2">
            <div className="min-w-0">
              <Link to={`/app/datasets/${item.id}`} className={`${linkClass} break-words`}>
                {item.name}
              </Link>
              {item.originalFilename && (
                <p className={`truncate text-xs ${secondary}`}>{item.originalFilename}</p>
              )}
            </div>
            {canDelete && (
              <Button variant="ghost" onClick={() => onDelete(item)} aria-label={`Delete ${item.name}`}>
                Delete
              </Button>
            )}
          </div>
          <dl className="mt-3 grid grid-cols-3 gap-2 text-sm">
            <div>
              <dt className={`text-xs ${secondary}`}>Rows</dt>
              <dd className="tabular-nums">{formatCount(item.rowCount)}</dd>
            </div>
            <div>
              <dt className={`text-xs ${secondary}`}>Columns</dt>
              <dd className="tabular-nums">{formatCount(item.columnCount)}</dd>
            </div>
            <div>
              <dt className={`text-xs ${secondary}`}>Size</dt>
              <dd className="tabular-nums">{formatBytes(item.sizeBytes)}</dd>
            </div>
            <div className="col-span-2">
              <dt className={`text-xs ${secondary}`}>Created</dt>
              <dd>
                <Created iso={item.createdAt} />
              </dd>
            </div>
            {showOwner && (
              <div>
                <dt className={`text-xs ${secondary}`}>Owner</dt>
                <dd className="font-mono text-xs" title={item.ownerId}>
                  {item.ownerId.slice(0, 8)}
                </dd>
              </div>
            )}
          </dl>
          {item.rejectedRowCount > 0 && (
            <p className="mt-2 text-xs text-amber-800 dark:text-amber-300">
              {formatCount(item.rejectedRowCount)} rows set aside
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
