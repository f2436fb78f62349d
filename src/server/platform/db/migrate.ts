import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Db } from './database.js';

export type MigrationSet = Record<string, Migration>;

export class MigrationError extends Error {
  constructor(
    readonly schema: string,
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(
      `migration of schema "${schema}" failed${migration ? ` at ${migration}` : ''}: ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

/**
 * Brings one service's schema up to date. Kysely's Migrator takes a Postgres advisory lock
 * for the whole run, so two processes starting together apply each migration once: the second
 * waits, then finds nothing left to do. The bookkeeping table lives in the service's own
 * schema, so services never touch each other's migration history.
 */
export async function migrateSchema(db: Db, schema: string, migrations: MigrationSet): Promise<string[]> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(schema, failed?.migrationName, result.error);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
