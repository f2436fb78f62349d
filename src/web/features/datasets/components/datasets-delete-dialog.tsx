import { useEffect, useId, useRef } from 'react';
import { Button } from '../../../shared/ui/button.js';

/**
 * Asks before a dataset is deleted. A native modal dialog: focus moves into it and stays there,
 * Escape closes it, and the page behind is inert.
 */
export function DatasetsDeleteDialog({
  name,
  pending,
  onConfirm,
  onClose,
}: {
  name: string;
  pending: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // jsdom and very old browsers have no showModal; an open dialog still works there.
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    return () => {
      if (typeof dialog.close === 'function') dialog.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        Delete “{name}”?
      </h2>
      <p id={bodyId} className="mt-2 text-sm text-slate-700 dark:text-slate-300">
        The dataset and all its rows are removed for good. This cannot be undone.
      </p>
      <div className="mt-5 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose} disabled={pending} autoFocus>
          Keep it
        </Button>
        <Button variant="danger" onClick={onConfirm} disabled={pending}>
          {pending ? 'Deleting…' : 'Delete dataset'}
        </Button>
      </div>
    </dialog>
  );
}
