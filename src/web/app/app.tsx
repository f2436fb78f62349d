import { useEffect, useState } from 'react';

interface Readiness {
  status: 'ok' | 'down';
  down: string[];
  checks: Record<string, { status: 'up' | 'down'; latencyMs: number; error?: string }>;
}

/** The hub's shell: what the platform is and whether its components answer. */
export function App() {
  const [ready, setReady] = useState<Readiness | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    fetch('/health/ready', { headers: { accept: 'application/json' } })
      .then((r) => r.json() as Promise<Readiness>)
      .then(setReady, (e: Error) => setError(e.message));
  }, []);

  return (
    <div className="shell">
      <header>
        <h1>NEXUS</h1>
        <p>Analytics platform hub</p>
      </header>
      <main>
        <section aria-labelledby="status-heading" aria-live="polite">
          <h2 id="status-heading">Platform status</h2>
          {error && <p role="alert">Could not reach the server: {error}</p>}
          {!ready && !error && <p aria-busy="true">Checking components…</p>}
          {ready && (
            <>
              <p data-testid="overall-status">
                {ready.status === 'ok' ? 'All components are up' : `Down: ${ready.down.join(', ')}`}
              </p>
              <ul>
                {Object.entries(ready.checks).map(([name, c]) => (
                  <li key={name}>
                    <span className={`dot ${c.status}`} aria-hidden="true" /> {name}: {c.status} (
                    {c.latencyMs} ms)
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <nav aria-label="Developer links">
          <a href="/docs">API documentation</a>
          <a href="/metrics">Metrics</a>
        </nav>
      </main>
    </div>
  );
}
