import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react';

const controlClass =
  'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string;
  className?: string;
}

/** Label, control, hint and error of one form field, with the error announced and tied to it. */
function Field({
  label,
  error,
  hint,
  className = '',
  control,
}: FieldProps & {
  control: (aria: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {control({
        id,
        ...(error ? { 'aria-invalid': true as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled input whose error is announced and tied to it (aria-describedby). */
export function TextField({
  label,
  error,
  hint,
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & FieldProps) {
  return (
    <Field
      label={label}
      error={error}
      {...(hint ? { hint } : {})}
      {...(className ? { className } : {})}
      control={(aria) => <input {...aria} className={controlClass} {...props} />}
    />
  );
}

/** A labelled select, wired like TextField. */
export function SelectField({
  label,
  error,
  hint,
  className,
  children,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & FieldProps) {
  return (
    <Field
      label={label}
      error={error}
      {...(hint ? { hint } : {})}
      {...(className ? { className } : {})}
      control={(aria) => (
        <select {...aria} className={controlClass} {...props}>
          {children}
        </select>
      )}
    />
  );
}
