import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ThemeToggle } from '../../../shared/ui/theme.js';

/** Sign-in and sign-up sit outside the hub: the name, the theme, and one centred card. */
export function AuthLayout({
  title,
  intro,
  children,
  footer,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex items-center justify-between px-4 py-3 sm:px-6">
        <Link to="/" className="text-lg font-bold tracking-wide">
          NEXUS
        </Link>
        <ThemeToggle />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-6 pb-16 sm:items-center sm:pt-0">
        <div className="w-full max-w-sm">
          <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <h1 className="text-2xl font-bold">{title}</h1>
            {intro && <div className="mt-1 text-sm text-slate-600 dark:text-slate-400">{intro}</div>}
            <div className="mt-6">{children}</div>
          </div>
          {footer && (
            <div className="mt-4 text-center text-sm text-slate-700 dark:text-slate-300">{footer}</div>
          )}
        </div>
      </main>
    </div>
  );
}

/** A message for the whole form: errors are alerts (read at once), notices are polite. */
export function FormMessage({ tone, children }: { tone: 'error' | 'info'; children: ReactNode }) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={
        tone === 'error'
          ? 'rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200'
          : 'rounded-md border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-900 dark:border-indigo-800 dark:bg-indigo-950 dark:text-indigo-100'
      }
    >
      {children}
    </div>
  );
}

export const linkClass =
  'font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300';
