import { useEffect, useState } from 'react';

type Theme = 'light' | 'dark' | 'system';
const storageKey = 'nexus-theme';

function apply(theme: Theme) {
  const dark =
    theme === 'dark' || (theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', Boolean(dark));
}

/** Light, dark or the system's choice; remembered on this device. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(
    () => (localStorage.getItem(storageKey) as Theme | null) ?? 'system',
  );
  useEffect(() => {
    apply(theme);
    localStorage.setItem(storageKey, theme);
    if (theme !== 'system') return;
    // "System" follows the OS when it switches while the page is open.
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const follow = () => apply('system');
    media?.addEventListener('change', follow);
    return () => media?.removeEventListener('change', follow);
  }, [theme]);
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="sr-only sm:not-sr-only">Theme</span>
      <select
        value={theme}
        onChange={(e) => setTheme(e.target.value as Theme)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800"
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** Applies the remembered theme before React renders, so the page does not flash. */
export function applyStoredTheme() {
  apply((localStorage.getItem(storageKey) as Theme | null) ?? 'system');
}
