import { useId } from 'react';
import type { ProgressView } from './upload-progress-model.js';

const stepNames = ['Upload', 'Store rows', 'Profile'] as const;

/** The upload's progress: which step of three, a bar, and the same words for screen readers. */
export function UploadProgressBar({ view }: { view: ProgressView }) {
  const labelId = useId();
  const indeterminate = view.percent === undefined;
  return (
    <div className="flex flex-col gap-2">
      <ol className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Upload steps">
        {stepNames.map((name, i) => {
          const step = i + 1;
          const state = step < view.step ? 'done' : step === view.step ? 'current' : 'todo';
          return (
            <li
              key={name}
              aria-current={state === 'current' ? 'step' : undefined}
              className={
                state === 'current'
                  ? 'font-semibold text-indigo-700 dark:text-indigo-300'
                  : state === 'done'
                    ? 'text-emerald-700 dark:text-emerald-400'
                    : 'text-slate-600 dark:text-slate-400'
              }
            >
              {state === 'done' ? '✓ ' : `${step}. `}
              {name}
            </li>
          );
        })}
      </ol>
      <p id={labelId} className="text-sm font-medium tabular-nums">
        {view.label}
        {!indeterminate && <span className="ml-2 text-slate-600 dark:text-slate-400">{view.percent}%</span>}
      </p>
      <div
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.percent}
        aria-valuetext={view.label}
        className="h-3 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        {indeterminate ? (
          <div className="h-full w-full rounded-full bg-indigo-600/70 motion-safe:animate-pulse dark:bg-indigo-400/70" />
        ) : (
          <div
            className="h-full rounded-full bg-indigo-600 transition-[width] duration-300 dark:bg-indigo-400"
            style={{ width: `${view.percent}%` }}
          />
        )}
      </div>
    </div>
  );
}
