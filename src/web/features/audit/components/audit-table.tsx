/** Table pieces the dashboard's tables share: cell padding and a header row. */

export const cellClass = 'px-2 py-1.5';

export interface Column {
  label: string;
  className?: string;
  /** Named for screen readers only (a column of bars, say). */
  hidden?: boolean;
}

export function AuditTableHead({ columns }: { columns: Column[] }) {
  return (
    <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
      <tr>
        {columns.map((c) => (
          <th key={c.label} scope="col" className={`${cellClass} ${c.className ?? ''}`}>
            {c.hidden ? <span className="sr-only">{c.label}</span> : c.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}
