import { useEffect, useState } from 'react';
import { Link } from 'react-router';

interface Readiness {
  status: 'ok' | 'down';
  down: string[];
  checks: Record<string, { status: 'up' | 'down'; latencyMs: number; error?: string }>;
}

/** `/`: what the platform is, whether its components answer, and the way into the hub. */
export function Component() {
  const [ready, setReady] = useState<Readiness | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    fetch('/health/ready', { headers: { accept: 'application/json' } })
      .then((r) => r.json() as Promise<Readiness>)
      .then(setReady, (e: Error) => setError(e.message));
  }, []);

  return (
    <div className="mx-auto max-w-3xl px-4 py-10">
      <header>
        <h1 className="text-3xl font-bold tracking-wide">NEXUS</h1>
        <p className="mt-1 text-slate-600 dark:text-slate-400">Analytics platform hub</p>
      </header>
      <main className="mt-8 space-y-8">
        <p className="text-lg">
          Upload your CSV files, see each column profiled, and find correlations and cohorts in them.
        </p>
        <div className="flex flex-wrap gap-3">
          <Link
            to="/app"
            className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
          >
            Open the hub
          </Link>
          <Link
            to="/app/sign-up"
            className="rounded-md border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
          >
            Create an account
          </Link>
        </div>
        <section aria-labelledby="status-heading" aria-live="polite">
          <h2 id="status-heading" className="text-xl font-semibold">
            Platform status
          </h2>
          {error && <p role="alert">Could not reach the server: {error}</p>}
          {!ready && !error && <p aria-busy="true">Checking components…</p>}
          {ready && (
            <>
              <p data-testid="overall-status" className="mt-2">
                {ready.status === 'ok' ? 'All components are up' : `Down: ${ready.down.join(', ')}`}
              </p>
              <ul className="mt-2 space-y-1">
                {Object.entries(ready.checks).map(([name, c]) => (
                  <li key={name} className="flex items-center gap-2">
                    <span
                      className={`inline-block h-2.5 w-2.5 rounded-full ${c.status === 'up' ? 'bg-emerald-600' : 'bg-red-600'}`}
                      aria-hidden="true"
                    />{' '}
                    {name}: {c.status} ({c.latencyMs} ms)
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <nav
          aria-label="Developer links"
          className="flex gap-4 text-indigo-700 underline dark:text-indigo-300"
        >
          <a href="/docs">API documentation</a>
          <a href="/metrics">Metrics</a>
        </nav>
      </main>
    </div>
  );
}
