import { useEffect, useId, useRef } from 'react';
import type { AuditEventView } from '../../../../contracts/mlog/query.js';
import { Button } from '../../../shared/ui/button.js';
import { CopyButton } from '../../auth/components/copy-button.js';

/**
 * One event in full, in a drawer on the right. A native modal dialog: focus moves in and stays
 * there, Escape closes it, the page behind is inert; on close focus goes back to the row.
 */
export function EventDrawer({ event, onClose }: { event: AuditEventView; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // jsdom has no showModal; an open dialog still works there.
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    dialog.querySelector<HTMLElement>('[data-initial-focus]')?.focus();
    return () => {
      if (typeof dialog.close === 'function') dialog.close();
      opener?.focus();
    };
  }, []);

  const fields: [string, string | null][] = [
    ['Time', event.ts],
    ['Received', event.receivedAt],
    ['Service', event.service],
    ['Action', event.action],
    ['User id', event.userId],
    ['Session id', event.sessionId],
    ['Correlation id', event.correlationId],
    ['Schema version', String(event.schemaVersion)],
    ['Event id', event.id],
  ];
  const copyable = new Set(['User id', 'Session id', 'Correlation id', 'Event id']);
  const metadata = JSON.stringify(event.metadata, null, 2);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the dialog's cancel (Escape) covers the keyboard
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its panel) closes it.
        if (e.target === e.currentTarget) onClose();
      }}
      className="fixed inset-y-0 right-0 left-auto m-0 h-dvh max-h-none w-[min(36rem,100vw)] max-w-none overflow-y-auto border-l border-slate-200 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="flex min-h-full flex-col gap-4 p-5">
        <div className="flex items-start justify-between gap-3">
          <div className="min-w-0">
            <h2 id={titleId} className="text-lg font-semibold break-words">
              <span className="font-mono">{event.action}</span> in {event.service}
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">
              {new Date(event.ts).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' })}
            </p>
          </div>
          <Button variant="ghost" onClick={onClose} aria-label="Close event details" data-initial-focus>
            ✕
          </Button>
        </div>
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
          {fields.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
              <dd className="flex min-w-0 items-center gap-2">
                {value === null ? (
                  <span className="text-slate-500 italic dark:text-slate-400">none</span>
                ) : (
                  <span className="font-mono text-xs break-all">{value}</span>
                )}
              </dd>
            </div>
          ))}
        </dl>
        <div className="flex flex-wrap gap-2">
          {fields
            .filter(([label, value]) => copyable.has(label) && value !== null)
            .map(([label, value]) => (
              <CopyButton
                key={label}
                text={value!}
                label={`Copy ${label.toLowerCase()}`}
                copiedMessage={`${label} copied.`}
              />
            ))}
        </div>
        <section aria-labelledby={`${titleId}-metadata`} className="flex flex-col gap-2">
          <div className="flex items-center justify-between gap-2">
            <h3 id={`${titleId}-metadata`} className="font-semibold">
              Metadata
            </h3>
            <CopyButton
              text={JSON.stringify(event, null, 2)}
              label="Copy event as JSON"
              copiedMessage="Event copied as JSON."
            />
          </div>
          <pre
            // Scrollable, so it must be reachable by keyboard.
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region needs focus to scroll by keyboard
            tabIndex={0}
            className="max-h-96 overflow-auto rounded-md bg-slate-100 p-3 font-mono text-xs text-slate-900 dark:bg-slate-950 dark:text-slate-100"
          >
            {metadata}
          </pre>
        </section>
      </div>
    </dialog>
  );
}
