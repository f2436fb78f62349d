import { sql } from 'kysely';
import type { Role } from '../../../../platform/auth/token-verifier.js';
import type { Db } from '../../../../platform/db/database.js';

export interface UserRow {
  id: string;
  email: string;
  passwordHash: string;
  displayName: string;
  organisation: string | null;
  locale: string;
  timezone: string;
  roles: Role[];
  disabled: boolean;
  failedLoginCount: number;
  lockedUntil: Date | null;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUser = Pick<
  UserRow,
  'id' | 'email' | 'passwordHash' | 'displayName' | 'organisation' | 'locale' | 'timezone' | 'roles'
> & { createdAt: Date };

const users = 'axi.users';

/** Inserts the user; false when the e-mail is taken (the unique index decides, race-free). */
export async function insertUser(db: Db, user: NewUser): Promise<boolean> {
  const inserted = await db
    .insertInto(users)
    .values({ ...user, roles: JSON.stringify(user.roles), updatedAt: user.createdAt })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findUserById(db: Db, id: string, options: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom(users).selectAll().where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) as UserRow | undefined;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return (await db
    .selectFrom(users)
    .selectAll()
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()) as UserRow | undefined;
}

export async function updateUser(
  db: Db,
  id: string,
  changes: Partial<Omit<UserRow, 'id' | 'createdAt'>>,
): Promise<UserRow | undefined> {
  const { roles, ...rest } = changes;
  return (await db
    .updateTable(users)
    .set({ ...rest, ...(roles ? { roles: JSON.stringify(roles) } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()) as UserRow | undefined;
}

/** One failed password: counts it and, past the threshold, locks until `lockedUntil(count)`. */
export async function recordFailedLogin(
  db: Db,
  id: string,
  lockFor: (failures: number) => number | undefined,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom(users)
      .select('failedLoginCount')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return;
    const failures = (row.failedLoginCount as number) + 1;
    const lockMs = lockFor(failures);
    await tx
      .updateTable(users)
      .set({
        failedLoginCount: failures,
        ...(lockMs !== undefined ? { lockedUntil: new Date(now.getTime() + lockMs) } : {}),
      })
      .where('id', '=', id)
      .execute();
  });
}

export async function clearFailedLogins(db: Db, id: string): Promise<void> {
  await db
    .updateTable(users)
    .set({ failedLoginCount: 0, lockedUntil: null })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('failedLoginCount', '>', 0), eb('lockedUntil', 'is not', null)]))
    .execute();
}

/**
 * Accepts a TOTP step only if it is newer than the last accepted one: the conditional update
 * makes two concurrent uses of one code end with exactly one success.
 */
export async function claimTotpStep(db: Db, id: string, step: number): Promise<boolean> {
  const r = await db
    .updateTable(users)
    .set({ totpLastStep: String(step) })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('totpLastStep', 'is', null), eb('totpLastStep', '<', String(step))]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listUsers(
  db: Db,
  page: { limit: number; offset: number; q?: string | undefined },
): Promise<{ items: UserRow[]; total: number }> {
  let base = db.selectFrom(users);
  if (page.q) {
    const pattern = `%${page.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([eb(sql`lower(email)`, 'like', pattern), eb(sql`lower(display_name)`, 'like', pattern)]),
    );
  }
  const [items, total] = await Promise.all([
    base.selectAll().orderBy('createdAt').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: items as UserRow[], total: total.n };
}

/** Enabled admins other than `exceptId`, locked for the caller's transaction. */
export async function countOtherActiveAdmins(db: Db, exceptId: string): Promise<number> {
  const rows = await db
    .selectFrom(users)
    .select('id')
    .where('id', '!=', exceptId)
    .where('disabled', '=', false)
    .where(sql<boolean>`roles @> '["admin"]'::jsonb`)
    .forUpdate()
    .execute();
  return rows.length;
}

export async function replaceRecoveryCodes(db: Db, userId: string, codeHashes: string[]): Promise<void> {
  await db.deleteFrom('axi.recoveryCodes').where('userId', '=', userId).execute();
  if (codeHashes.length > 0) {
    await db
      .insertInto('axi.recoveryCodes')
      .values(codeHashes.map((codeHash) => ({ userId, codeHash })))
      .execute();
  }
}

/** Marks one unused recovery code used; false if it is unknown or was used before. */
export async function consumeRecoveryCode(
  db: Db,
  userId: string,
  codeHash: string,
  now: Date,
): Promise<boolean> {
  const r = await db
    .updateTable('axi.recoveryCodes')
    .set({ usedAt: now })
    .where('userId', '=', userId)
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
