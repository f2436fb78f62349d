import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';

export interface VisitRow {
  id: string;
  path: string;
  referrerHost: string | null;
  visitedAt: Date;
}

export async function insertVisit(db: Db, visit: VisitRow): Promise<void> {
  await db.insertInto('portfolio.visits').values(visit).execute();
}

export async function countVisitsByPath(db: Db, since: Date): Promise<{ path: string; visits: number }[]> {
  return db
    .selectFrom('portfolio.visits')
    .select(['path', sql<number>`count(*)::int`.as('visits')])
    .where('visitedAt', '>=', since)
    .groupBy('path')
    .orderBy('visits', 'desc')
    .orderBy('path')
    .execute();
}
