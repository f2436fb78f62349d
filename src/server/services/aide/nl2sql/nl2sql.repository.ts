import type { HistoryEntry, Nl2SqlTimings } from '../../../../contracts/aide/nl2sql.js';
import type { Db } from '../../../platform/db/database.js';
import type { SandboxTable } from '../sandbox/sql-guard.js';

export interface QuestionRecord {
  id: string;
  userId: string;
  datasetId: string;
  question: string;
  understood: boolean;
  sql: string | null;
  provider: string;
  /** The LLM asked; null for the built-in engine. */
  model: string | null;
  promptVersion: string;
  /** Tokens the answer cost, when the provider reported them. */
  inputTokens: number | null;
  outputTokens: number | null;
  rowCount: number;
  truncated: boolean;
  timings: Nl2SqlTimings;
  createdAt: Date;
}

export async function insertQuestion(db: Db, record: QuestionRecord): Promise<void> {
  await db
    .insertInto('aide.questions')
    .values({ ...record, timings: JSON.stringify(record.timings) })
    .execute();
}

/** The user's latest questions about one dataset, newest first. */
export async function listQuestions(
  db: Db,
  userId: string,
  datasetId: string,
  limit: number,
): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('aide.questions')
    .select([
      'id',
      'question',
      'understood',
      'sql',
      'provider',
      'promptVersion',
      'rowCount',
      'truncated',
      'createdAt',
    ])
    .where('userId', '=', userId)
    .where('datasetId', '=', datasetId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    rowCount: Number(r.rowCount),
    createdAt: new Date(r.createdAt).toISOString(),
  }));
}

export async function deleteQuestionsOfDataset(db: Db, datasetId: string): Promise<void> {
  await db.deleteFrom('aide.questions').where('datasetId', '=', datasetId).execute();
}

/** Remembers that `table` has a reader role, so the role can be found when the dataset goes. */
export async function rememberReaderTable(db: Db, datasetId: string, table: SandboxTable): Promise<void> {
  await db
    .insertInto('aide.reader_tables')
    .values({ datasetId, tableSchema: table.schema, tableName: table.name })
    .onConflict((oc) => oc.column('datasetId').doNothing())
    .execute();
}

export async function findReaderTable(db: Db, datasetId: string): Promise<SandboxTable | undefined> {
  const row = await db
    .selectFrom('aide.reader_tables')
    .select(['tableSchema', 'tableName'])
    .where('datasetId', '=', datasetId)
    .executeTakeFirst();
  return row ? { schema: row.tableSchema, name: row.tableName } : undefined;
}

export async function forgetReaderTable(db: Db, datasetId: string): Promise<void> {
  await db.deleteFrom('aide.reader_tables').where('datasetId', '=', datasetId).execute();
}
