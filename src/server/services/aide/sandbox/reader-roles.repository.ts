import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { SandboxTable } from './sql-guard.js';

// One lock for every change to reader roles: concurrent GRANTs on the same schema fail with
// "tuple concurrently updated", and role creation is rare enough that serialising it costs nothing.
const READER_ROLES_LOCK = 0x41494445; // "AIDE"

/**
 * The NOLOGIN role that may only SELECT one dataset table: `aide_r_<32 hex>` from `ds_<32 hex>`.
 * The strict pattern is what makes the role and table names safe to put in DDL text.
 */
export function readerRoleName(table: SandboxTable): string {
  const match = /^ds_([0-9a-f]{32})$/.exec(table.name);
  if (!match || !/^[a-z_][a-z0-9_]*$/.test(table.schema))
    throw new Error(`not a dataset table: ${table.schema}.${table.name}`);
  return `aide_r_${match[1]}`;
}

async function roleIsReady(db: Db, role: string, table: SandboxTable): Promise<boolean> {
  const { rows } = await sql<{ ready: boolean }>`
    select pg_has_role(current_user, r.oid, 'MEMBER')
       and has_schema_privilege(r.oid, ${table.schema}, 'USAGE')
       and has_table_privilege(r.oid, ${`${table.schema}.${table.name}`}, 'SELECT') as ready
    from pg_roles r where r.rolname = ${role}`.execute(db);
  return rows[0]?.ready === true;
}

/**
 * Makes sure the reader role of `table` exists, may read that table and nothing else we grant,
 * and that the current user may `SET ROLE` to it. Idempotent and safe to call concurrently.
 * Needs a database user with CREATEROLE that may grant SELECT on the table (its owner).
 * Returns the role name.
 */
export async function ensureReaderRole(db: Db, table: SandboxTable): Promise<string> {
  const role = readerRoleName(table);
  if (await roleIsReady(db, role, table)) return role;
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${READER_ROLES_LOCK})`.execute(tx);
    // Roles are cluster-wide: another database may have created it between check and lock, and
    // that surfaces as a duplicate, which is what we wanted anyway.
    await sql
      .raw(
        `do $$ begin create role "${role}" nologin; exception when duplicate_object or unique_violation then null; end $$`,
      )
      .execute(tx);
    await sql`grant usage on schema ${sql.id(table.schema)} to ${sql.id(role)}`.execute(tx);
    await sql`grant select on table ${sql.id(table.schema, table.name)} to ${sql.id(role)}`.execute(tx);
    await sql`grant ${sql.id(role)} to current_user`.execute(tx);
  });
  return role;
}

/**
 * Removes the reader role of `table` (call it when the dataset is deleted): revokes what it was
 * granted in this database, then drops it. Returns false when the role is kept because it still
 * holds privileges in another database of the cluster (only there can they be revoked).
 */
export async function dropReaderRole(db: Db, table: SandboxTable): Promise<boolean> {
  return db.transaction().execute((tx) => dropReaderRoleIn(tx, table));
}

/** `dropReaderRole` inside a transaction the caller holds (an event consumer's, say). */
export async function dropReaderRoleIn(tx: Db, table: SandboxTable): Promise<boolean> {
  const role = readerRoleName(table);
  await sql`select pg_advisory_xact_lock(${READER_ROLES_LOCK})`.execute(tx);
  const { rows } = await sql<{
    found: number;
  }>`select 1 as found from pg_roles where rolname = ${role}`.execute(tx);
  if (rows.length === 0) return true;
  await sql`drop owned by ${sql.id(role)}`.execute(tx);
  await sql
    .raw(`do $$ begin drop role "${role}"; exception when dependent_objects_still_exist then null; end $$`)
    .execute(tx);
  const left = await sql<{
    found: number;
  }>`select 1 as found from pg_roles where rolname = ${role}`.execute(tx);
  return left.rows.length === 0;
}
