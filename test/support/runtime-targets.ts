import { createPostgresDatabase } from './databases.js';

export interface RuntimeTarget {
  name: 'pglite' | 'postgres';
  /** Environment for startTestRuntime: a fresh database of this kind. */
  env(): Promise<Record<string, string>>;
  /** Drops what env() created. */
  cleanup(): Promise<void>;
}

/**
 * The databases an in-process runtime test runs on: the embedded PGlite always, a fresh database
 * on the real PostgreSQL too when TEST_DATABASE_URL is set (always in CI).
 */
export function runtimeTargets(): RuntimeTarget[] {
  const targets: RuntimeTarget[] = [{ name: 'pglite', env: async () => ({}), cleanup: async () => {} }];
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (baseUrl) {
    let drop: (() => Promise<void>) | undefined;
    targets.push({
      name: 'postgres',
      async env() {
        const created = await createPostgresDatabase(baseUrl);
        drop = created.drop;
        return { DATABASE_URL: created.url };
      },
      cleanup: async () => drop?.(),
    });
  }
  return targets;
}
