import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';

/**
 * Sort memory for one sort-heavy analytics query (ranks, percentiles, distinct counts, cohort
 * windows). PostgreSQL's default work_mem (4 MB) spills a million-row sort to disk; 64 MB keeps
 * it in memory (7x7 Spearman on 1M rows measured 17 s -> 9 s). SET LOCAL confines it to the
 * query's own transaction, so a pooled connection never keeps it.
 */
const WORK_MEM = '64MB';

export async function withSortMemory<T>(db: Db, run: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) {
    await sql.raw(`set local work_mem = '${WORK_MEM}'`).execute(db);
    return run(db);
  }
  return db.transaction().execute(async (tx) => {
    await sql.raw(`set local work_mem = '${WORK_MEM}'`).execute(tx);
    return run(tx);
  });
}
