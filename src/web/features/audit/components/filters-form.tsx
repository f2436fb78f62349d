import { type FormEvent, useId, useState } from 'react';
import { WELL_KNOWN_ACTIONS } from '../../../../contracts/mlog/events.js';
import { Button } from '../../../shared/ui/button.js';
import { SelectField, TextField } from '../../../shared/ui/text-field.js';
import type { ServiceCount } from '../api.js';
import {
  type AuditFilters,
  customRangeProblem,
  fromLocalInput,
  isFilterableService,
  RANGE_PRESETS,
  type Range,
  type TimeWindow,
  toLocalInput,
} from '../audit-filters.js';

/**
 * The dashboard's filters. Selects apply at once; typed values (action, user, a custom range)
 * apply with Enter or the Apply button, so each keystroke does not start a query. The page
 * re-mounts this form when the address changes, so it always starts from what the address says.
 */
export function FiltersForm({
  filters,
  window,
  services,
  onChange,
  onRefresh,
  refreshing,
}: {
  filters: AuditFilters;
  /** The window shown now: where a new custom range starts. */
  window: TimeWindow;
  /** Services seen in the window, to choose from. */
  services: ServiceCount[];
  onChange: (next: AuditFilters) => void;
  onRefresh: () => void;
  refreshing: boolean;
}) {
  const [action, setAction] = useState(filters.action ?? '');
  const [userId, setUserId] = useState(filters.userId ?? '');
  const [range, setRange] = useState<Range>(filters.range);
  const [from, setFrom] = useState(toLocalInput(filters.from));
  const [to, setTo] = useState(toLocalInput(filters.to));
  const [rangeError, setRangeError] = useState<string | undefined>(undefined);
  const actionsId = useId();

  // The selected service stays listed even when the window has no events of it.
  const names = services.map((s) => s.service);
  if (filters.service && !names.includes(filters.service)) names.unshift(filters.service);

  const typed = (): AuditFilters => ({
    ...filters,
    action: action.trim() || undefined,
    userId: userId.trim() || undefined,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (range !== 'custom') return onChange({ ...typed(), range, from: undefined, to: undefined });
    const fromIso = fromLocalInput(from);
    const toIso = fromLocalInput(to);
    const problem = customRangeProblem(fromIso, toIso);
    setRangeError(problem);
    if (!problem) onChange({ ...typed(), range: 'custom', from: fromIso, to: toIso });
  };

  return (
    <form
      onSubmit={submit}
      aria-label="Filters"
      className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(4,minmax(0,1fr))_auto]"
    >
      <SelectField
        label="Time range"
        value={range}
        onChange={(e) => {
          const next = e.target.value as Range;
          setRange(next);
          setRangeError(undefined);
          if (next === 'custom') {
            // A new custom range starts as the window shown now; Apply uses it.
            setFrom((v) => v || toLocalInput(window.from));
            setTo((v) => v || toLocalInput(window.to));
            return;
          }
          onChange({ ...typed(), range: next, from: undefined, to: undefined });
        }}
      >
        {RANGE_PRESETS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </SelectField>
      <SelectField
        label="Service"
        value={filters.service ?? ''}
        onChange={(e) => onChange({ ...typed(), service: e.target.value || undefined })}
      >
        <option value="">All services</option>
        {names.map((name) => (
          <option key={name} value={name} disabled={!isFilterableService(name)}>
            {name}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Action"
        value={action}
        onChange={(e) => setAction(e.target.value)}
        list={actionsId}
        maxLength={128}
        placeholder="login, upload, dataset.deleted…"
        autoComplete="off"
      />
      <datalist id={actionsId}>
        {WELL_KNOWN_ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <TextField
        label="User id"
        value={userId}
        onChange={(e) => setUserId(e.target.value)}
        maxLength={256}
        autoComplete="off"
      />
      <div className="flex gap-2">
        <Button type="submit">Apply</Button>
        <Button variant="secondary" onClick={onRefresh} disabled={refreshing}>
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </Button>
      </div>
      {range === 'custom' && (
        <fieldset className="col-span-full grid grid-cols-1 gap-3 rounded-md border border-slate-200 p-3 sm:grid-cols-2 dark:border-slate-700">
          <legend className="px-1 text-sm font-medium">Custom range (your time zone)</legend>
          <TextField
            label="From"
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            error={rangeError}
          />
          <TextField label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </fieldset>
      )}
    </form>
  );
}
