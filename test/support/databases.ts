import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  type DatabaseHandle,
  openEmbeddedDatabase,
  openPostgresDatabase,
} from '../../src/server/platform/db/database.js';

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** A fresh, empty database for one test file (or test); `close()` throws it away. */
  open(): Promise<DatabaseHandle & { url?: string }>;
}

const testPool = { max: 5, connectionTimeoutMs: 5_000, idleTimeoutMs: 1_000 };

/** A fresh database on the real server named by TEST_DATABASE_URL; dropped on close. */
export async function createPostgresDatabase(
  baseUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await dropReaderRolesOf(url.toString());
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * AIDE's per-dataset reader roles (`aide_r_<hex>`) are cluster-wide, so dropping a test database
 * would leave them behind: drop what they were granted there, then the roles themselves.
 */
async function dropReaderRolesOf(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  try {
    await c.connect();
    const { rows } = await c.query<{ role: string }>(
      `select rolname as role from pg_roles where starts_with(rolname, 'aide_r_')
         and (has_schema_privilege(rolname, 'axi_data', 'usage') is true)`,
    );
    for (const { role } of rows) {
      await c.query(`drop owned by "${role}"`);
      await c.query(`drop role if exists "${role}"`).catch(() => {});
    }
  } catch {
    // No axi_data schema (a test that never migrated AXI) or already gone: nothing to drop.
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * The databases a contract test runs on: always the embedded PGlite, and the real PostgreSQL
 * too when TEST_DATABASE_URL is set (always in CI).
 */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [
    { name: 'pglite', open: () => openEmbeddedDatabase({ dataDir: 'memory://' }) },
  ];
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (baseUrl) {
    targets.push({
      name: 'postgres',
      async open() {
        const created = await createPostgresDatabase(baseUrl);
        const handle = await openPostgresDatabase({
          url: created.url,
          pool: testPool,
          statementTimeoutMs: 10_000,
          applicationName: 'test',
        });
        return {
          ...handle,
          url: created.url,
          async close() {
            await handle.close();
            await created.drop();
          },
        };
      },
    });
  }
  return targets;
}
