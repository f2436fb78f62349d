import { type DragEvent, useId, useState } from 'react';
import { formatBytes } from './datasets-format.js';

/**
 * Where a file is dropped, and also a real file input with a label, so a keyboard or screen
 * reader user chooses the file the ordinary way (Tab to it, Space or Enter opens the picker).
 */
export function UploadDropZone({
  file,
  disabled,
  onFile,
}: {
  file: File | undefined;
  disabled: boolean;
  onFile: (file: File) => void;
}) {
  const inputId = useId();
  const hintId = useId();
  const [dragging, setDragging] = useState(false);

  const onDragOver = (e: DragEvent) => {
    if (disabled || !e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const dropped = e.dataTransfer.files[0];
    if (!disabled && dropped) onFile(dropped);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; keyboards use the file input inside
    <div
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
      data-dragging={dragging || undefined}
      className="relative"
    >
      <input
        id={inputId}
        type="file"
        accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
        disabled={disabled}
        aria-describedby={hintId}
        className="peer sr-only"
        onChange={(e) => {
          const chosen = e.target.files?.[0];
          if (chosen) onFile(chosen);
          // Choosing the same file again after an error must fire change again.
          e.target.value = '';
        }}
      />
      <label
        htmlFor={inputId}
        className={`flex min-h-36 cursor-pointer flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-4 py-6 text-center transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-indigo-600 peer-disabled:cursor-not-allowed peer-disabled:opacity-60 dark:peer-focus-visible:outline-indigo-400 ${
          dragging
            ? 'border-indigo-600 bg-indigo-50 dark:border-indigo-400 dark:bg-indigo-950'
            : 'border-slate-300 bg-slate-50 hover:border-indigo-500 hover:bg-indigo-50/50 dark:border-slate-600 dark:bg-slate-900 dark:hover:border-indigo-400 dark:hover:bg-indigo-950/40'
        }`}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" className="h-8 w-8 text-indigo-600 dark:text-indigo-400">
          <path
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinecap="round"
            strokeLinejoin="round"
            d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3"
          />
        </svg>
        {file ? (
          <span className="text-sm">
            <span className="font-medium break-all">{file.name}</span>{' '}
            <span className="text-slate-600 dark:text-slate-400">({formatBytes(file.size)})</span>
            <span className="mt-1 block text-indigo-700 underline dark:text-indigo-300">
              Choose another file
            </span>
          </span>
        ) : (
          <span className="text-sm">
            <span className="font-medium">Drop a CSV file here</span> or{' '}
            <span className="text-indigo-700 underline dark:text-indigo-300">choose a file</span>
          </span>
        )}
      </label>
      <p id={hintId} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        CSV or tab-separated text with a header line. Encoding and delimiter are detected.
      </p>
    </div>
  );
}
