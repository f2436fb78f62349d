import type { Role } from '../../../../platform/auth/token-verifier.js';
import type { Db } from '../../../../platform/db/database.js';

export interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const table = 'axi.apiKeys';

export async function insertApiKey(db: Db, row: Omit<ApiKeyRow, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
  await db
    .insertInto(table)
    .values({ ...row, scopes: JSON.stringify(row.scopes) })
    .execute();
}

export async function listActiveApiKeys(db: Db, userId: string, now: Date): Promise<ApiKeyRow[]> {
  return (await db
    .selectFrom(table)
    .selectAll()
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
    .orderBy('createdAt', 'desc')
    .orderBy('id')
    .execute()) as ApiKeyRow[];
}

export async function revokeApiKey(db: Db, userId: string, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable(table)
    .set({ revokedAt: now })
    .where('id', '=', id)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A usable key and its owner's current roles: not revoked, not expired, owner not disabled. */
export async function findUsableApiKey(
  db: Db,
  keyHash: string,
  now: Date,
): Promise<
  { id: string; userId: string; scopes: string[]; roles: Role[]; lastUsedAt: Date | null } | undefined
> {
  return (await db
    .selectFrom('axi.apiKeys as k')
    .innerJoin('axi.users as u', 'u.id', 'k.userId')
    .select(['k.id', 'k.userId', 'k.scopes', 'k.lastUsedAt', 'u.roles'])
    .where('k.keyHash', '=', keyHash)
    .where('k.revokedAt', 'is', null)
    .where((eb) => eb.or([eb('k.expiresAt', 'is', null), eb('k.expiresAt', '>', now)]))
    .where('u.disabled', '=', false)
    .executeTakeFirst()) as
    | { id: string; userId: string; scopes: string[]; roles: Role[]; lastUsedAt: Date | null }
    | undefined;
}

/** Records use at most once per `resolutionMs`, so a busy key does not write on every request. */
export async function touchApiKey(db: Db, id: string, now: Date, resolutionMs: number): Promise<void> {
  await db
    .updateTable(table)
    .set({ lastUsedAt: now })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', new Date(now.getTime() - resolutionMs))]),
    )
    .execute();
}
