import type { Db } from '../../../../platform/db/database.js';

export interface RefreshTokenRow {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

const table = 'axi.refreshTokens';

export async function insertRefreshToken(
  db: Db,
  row: Omit<RefreshTokenRow, 'rotatedAt' | 'revokedAt'>,
): Promise<void> {
  await db.insertInto(table).values(row).execute();
}

/** The token row, locked: two refreshes racing with one token are decided one after the other. */
export async function findRefreshTokenForUpdate(db: Db, tokenHash: string) {
  return (await db
    .selectFrom(table)
    .selectAll()
    .where('tokenHash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst()) as RefreshTokenRow | undefined;
}

export async function markRotated(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable(table).set({ rotatedAt: now }).where('id', '=', id).execute();
}

export async function revokeFamily(db: Db, familyId: string, now: Date): Promise<void> {
  await db
    .updateTable(table)
    .set({ revokedAt: now })
    .where('familyId', '=', familyId)
    .where('revokedAt', 'is', null)
    .execute();
}

export async function revokeAllOfUser(db: Db, userId: string, now: Date): Promise<void> {
  await db
    .updateTable(table)
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .execute();
}

export async function findFamilyOf(db: Db, tokenHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom(table)
    .select('familyId')
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
  return row?.familyId as string | undefined;
}
