import { useEffect, useRef, useState } from 'react';
import { type AdminUpdateUserBody, type AdminUser, Role } from '../../../../contracts/axi/auth.js';
import { Button } from '../../../shared/ui/button.js';

const roleLabels: Record<Role, string> = { admin: 'Admin', analyst: 'Analyst', viewer: 'Viewer' };

const cell = 'px-3 py-3 align-top max-md:block max-md:px-0 max-md:py-1';

/** One account: who, roles (checkboxes), status, and enable/disable (disabling asks first). */
export function UserRow({
  user,
  isSelf,
  pending,
  onChange,
}: {
  user: AdminUser;
  isSelf: boolean;
  pending: boolean;
  onChange: (changes: AdminUpdateUserBody) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  // Focus follows the question: onto "Disable account" when it appears, back to "Disable" after.
  const actions = useRef<HTMLTableCellElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming || asked.current) actions.current?.querySelector('button')?.focus();
    asked.current ||= confirming;
  }, [confirming]);

  const toggleRole = (role: Role, on: boolean) => {
    const roles = Role.options.filter((r) => (r === role ? on : user.roles.includes(r)));
    onChange({ roles });
  };
  const lockedUntil = user.lockedUntil ? new Date(user.lockedUntil) : undefined;

  return (
    <tr className="border-t border-slate-200 dark:border-slate-800 max-md:block max-md:px-4 max-md:py-3">
      <td className={cell}>
        <div className="font-medium break-all">
          {user.displayName}
          {isSelf && (
            <span className="ml-1 text-sm font-normal text-slate-600 dark:text-slate-400">(you)</span>
          )}
        </div>
        <div className="text-sm break-all text-slate-600 dark:text-slate-400">{user.email}</div>
      </td>
      <td className={cell}>
        <fieldset disabled={pending} className="flex flex-wrap gap-x-4 gap-y-1">
          <legend className="sr-only">Roles of {user.email}</legend>
          {Role.options.map((role) => {
            const checked = user.roles.includes(role);
            const onlyRole = checked && user.roles.length === 1;
            return (
              <label
                key={role}
                className="flex items-center gap-1.5 text-sm"
                title={onlyRole ? 'A user needs at least one role' : undefined}
              >
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={onlyRole}
                  onChange={(e) => toggleRole(role, e.target.checked)}
                  className="h-4 w-4 accent-indigo-600"
                />
                {roleLabels[role]}
              </label>
            );
          })}
        </fieldset>
      </td>
      <td className={cell}>
        <div className="flex flex-wrap gap-1">
          {user.disabled ? (
            <Badge tone="red">Disabled</Badge>
          ) : lockedUntil ? (
            <Badge tone="amber">
              Locked until {lockedUntil.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
            </Badge>
          ) : (
            <Badge tone="green">Active</Badge>
          )}
          {user.twoFactorEnabled && <Badge tone="slate">2FA</Badge>}
        </div>
      </td>
      <td ref={actions} className={`${cell} md:text-right`}>
        {confirming ? (
          <div className="flex flex-col gap-2 md:items-end">
            <p className="text-sm">
              Disable {user.email}? Their sign-ins end now{isSelf ? ', including yours' : ''}.
            </p>
            <div className="flex gap-2">
              <Button
                variant="danger"
                disabled={pending}
                onClick={() => {
                  onChange({ disabled: true });
                  setConfirming(false);
                }}
              >
                Disable account
              </Button>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </div>
          </div>
        ) : user.disabled ? (
          <Button variant="secondary" disabled={pending} onClick={() => onChange({ disabled: false })}>
            Enable<span className="sr-only"> {user.email}</span>
          </Button>
        ) : (
          <Button variant="secondary" disabled={pending} onClick={() => setConfirming(true)}>
            Disable<span className="sr-only"> {user.email}</span>
          </Button>
        )}
      </td>
    </tr>
  );
}

const badgeTones = {
  green: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100',
  red: 'bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100',
  amber: 'bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100',
  slate: 'bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100',
} as const;

function Badge({ tone, children }: { tone: keyof typeof badgeTones; children: React.ReactNode }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${badgeTones[tone]}`}>
      {children}
    </span>
  );
}
