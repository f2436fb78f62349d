export type ResultView = 'chart' | 'table';

/** Chart or table: the same numbers, the table for screen readers and keyboard users. */
export function ViewToggle({
  view,
  onChange,
  label,
}: {
  view: ResultView;
  onChange: (view: ResultView) => void;
  label: string;
}) {
  const option = (value: ResultView, text: string) => (
    <button
      type="button"
      aria-pressed={view === value}
      onClick={() => onChange(value)}
      className={`px-3 py-1.5 text-sm font-medium first:rounded-l-md last:rounded-r-md ${
        view === value
          ? 'bg-indigo-600 text-white'
          : 'bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700'
      }`}
    >
      {text}
    </button>
  );
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div
      role="group"
      aria-label={label}
      className="inline-flex rounded-md border border-slate-300 dark:border-slate-600"
    >
      {option('chart', 'Heatmap')}
      {option('table', 'Table')}
    </div>
  );
}
