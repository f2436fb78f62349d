import { Button } from '../../../shared/ui/button.js';
import { SelectField } from '../../../shared/ui/text-field.js';
import { USAGE_RANGES, type UsageFilters, type UsageRange } from './usage-filters.js';

export interface UserChoice {
  id: string;
  label: string;
}

/**
 * The window and, for admins (`users` given), whose usage: both apply as soon as they are chosen.
 * Refresh asks again for a window ending now.
 */
export function UsageControls({
  filters,
  users,
  onChange,
  onRefresh,
  refreshing,
}: {
  filters: UsageFilters;
  /** Who an admin may pick; undefined hides the user filter. */
  users: UserChoice[] | undefined;
  onChange: (next: UsageFilters) => void;
  onRefresh: () => void;
  refreshing: boolean;
}) {
  // The chosen user stays listed (by id) even when the list of users does not have them.
  const choices =
    users && filters.userId && !users.some((u) => u.id === filters.userId)
      ? [{ id: filters.userId, label: filters.userId }, ...users]
      : users;
  return (
    <form
      aria-label="Usage filters"
      onSubmit={(e) => e.preventDefault()}
      className="grid grid-cols-1 items-end gap-3 sm:grid-cols-[minmax(0,14rem)_minmax(0,20rem)_auto]"
    >
      <SelectField
        label="Window"
        value={filters.range}
        onChange={(e) => onChange({ ...filters, range: e.target.value as UsageRange })}
      >
        {USAGE_RANGES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </SelectField>
      {choices ? (
        <SelectField
          label="User"
          value={filters.userId ?? ''}
          onChange={(e) => onChange({ ...filters, userId: e.target.value || undefined })}
        >
          <option value="">All users</option>
          {choices.map((u) => (
            <option key={u.id} value={u.id}>
              {u.label}
            </option>
          ))}
        </SelectField>
      ) : (
        <div className="hidden sm:block" />
      )}
      <Button variant="secondary" onClick={onRefresh} disabled={refreshing} className="justify-self-start">
        {refreshing ? 'Refreshing…' : 'Refresh'}
      </Button>
    </form>
  );
}
