import { useState } from 'react';
import { Link } from 'react-router';
import type { Dataset } from '../../../../contracts/axi/datasets.js';
import { Button } from '../../../shared/ui/button.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { downloadExport, downloadRejectedRows } from '../api.js';

/** Bytes for people: 1536 -> "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 100 ? 1 : 0)} ${units[unit]}`;
}

const delimiterNames: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** Name, facts and the export actions of a dataset. */
export function DatasetHeader({ dataset }: { dataset: Dataset }) {
  const toast = useToast();
  const [exporting, setExporting] = useState<'csv' | 'json' | 'rejected'>();
  const base = dataset.name.replace(/[^\w.-]+/g, '_') || 'dataset';

  const run = async (kind: 'csv' | 'json' | 'rejected') => {
    setExporting(kind);
    try {
      if (kind === 'rejected') await downloadRejectedRows(dataset.id, base);
      else await downloadExport(dataset.id, kind, base);
      toast('success', kind === 'rejected' ? 'Rejected rows downloaded.' : `Exported ${base}.${kind}.`);
    } catch (e) {
      toast('error', `Export failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setExporting(undefined);
    }
  };

  const facts: [string, string][] = [
    ['Rows', dataset.rowCount.toLocaleString('en-US')],
    ['Columns', String(dataset.columns.length)],
    ['Size', formatBytes(dataset.sizeBytes)],
    ['Encoding', dataset.encoding],
    ['Delimiter', delimiterNames[dataset.delimiter] ?? JSON.stringify(dataset.delimiter)],
    ['Uploaded', new Date(dataset.createdAt).toLocaleString()],
  ];

  return (
    <header className="space-y-3">
      <Link
        to="/app"
        className="inline-flex items-center gap-1 text-sm text-indigo-700 hover:underline dark:text-indigo-300"
      >
        <span aria-hidden="true">←</span> All datasets
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold break-words">{dataset.name}</h1>
          {dataset.originalFilename && dataset.originalFilename !== dataset.name && (
            <p className="text-sm break-all text-slate-600 dark:text-slate-400">
              from {dataset.originalFilename}
            </p>
          )}
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => run('csv')} disabled={exporting !== undefined}>
            {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
          </Button>
          <Button variant="secondary" onClick={() => run('json')} disabled={exporting !== undefined}>
            {exporting === 'json' ? 'Exporting…' : 'Export JSON'}
          </Button>
        </div>
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3 lg:grid-cols-6">
        {facts.map(([term, value]) => (
          <div key={term} className="min-w-0">
            <dt className="text-slate-600 dark:text-slate-400">{term}</dt>
            <dd className="truncate font-medium" title={value}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      {dataset.rejectedRowCount > 0 && (
        <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          {dataset.rejectedRowCount.toLocaleString('en-US')} rows were rejected at upload and kept out of this
          dataset.{' '}
          <button
            type="button"
            onClick={() => run('rejected')}
            disabled={exporting !== undefined}
            className="font-medium underline hover:no-underline"
          >
            Download the rejected rows
          </button>
        </p>
      )}
    </header>
  );
}
