import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type {
  History,
  HistoryQuery,
  Nl2SqlBody,
  Nl2SqlResponse,
  Nl2SqlTimings,
} from '../../../../contracts/aide/nl2sql.js';
import { datasetDeleted, nl2sqlExecuted } from '../../../../contracts/events/index.js';
import type { AuditClient } from '../../../platform/audit/audit-client.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import { describeDataset, findQuestionableDataset } from '../datasets/describe-dataset.js';
import { answerQuestion } from '../engine/answer-question.js';
import { runReadOnly } from '../sandbox/read-only-runner.js';
import { dropReaderRoleIn, ensureReaderRole } from '../sandbox/reader-roles.repository.js';
import { SqlRefused } from '../sandbox/sandbox.errors.js';
import { checkSql, type SandboxTable } from '../sandbox/sql-guard.js';
import {
  deleteQuestionsOfDataset,
  findReaderTable,
  forgetReaderTable,
  insertQuestion,
  listQuestions,
  rememberReaderTable,
} from './nl2sql.repository.js';

export const BUILTIN_PROVIDER = 'builtin';
export const BUILTIN_PROMPT_VERSION = 'builtin-1';
export const MAX_RESULT_ROWS = 1000;
export const QUERY_TIMEOUT_MS = 5000;

export interface Nl2SqlDeps {
  db: Db;
  outbox: Outbox;
  clock: () => Date;
  log: Logger;
  /** Optional so the service can be tested alone; the module always passes the platform's client. */
  audit?: AuditClient;
}

const elapsedSince = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/**
 * Natural language to SQL with the built-in engine: sanitised question (by the contract) ->
 * dataset description -> engine -> sandbox guard -> read-only run under the dataset's reader
 * role. Every question is kept in the history and announced (`nl2sql.executed`) in one
 * transaction; the audit log gets a `query` event.
 */
export function createNl2SqlService(deps: Nl2SqlDeps) {
  const { db, outbox, clock, log } = deps;
  // Datasets whose reader role this process has made sure of: a role outlives every question
  // until its dataset is deleted, so checking the catalog once per process is enough.
  const readerRoles = new Map<string, string>();

  async function readerRoleFor(datasetId: string, table: SandboxTable): Promise<string> {
    const known = readerRoles.get(datasetId);
    if (known) return known;
    const role = await ensureReaderRole(db, table);
    await rememberReaderTable(db, datasetId, table);
    readerRoles.set(datasetId, role);
    return role;
  }

  async function record(
    ctx: RequestContext,
    entry: { userId: string; datasetId: string; question: string; sql: string | null },
    outcome: { understood: boolean; rowCount: number; truncated: boolean; timings: Nl2SqlTimings },
  ) {
    await db.transaction().execute(async (tx) => {
      await insertQuestion(tx, {
        id: randomUUID(),
        ...entry,
        ...outcome,
        provider: BUILTIN_PROVIDER,
        promptVersion: BUILTIN_PROMPT_VERSION,
        createdAt: clock(),
      });
      await outbox.add(
        tx,
        createEvent(nl2sqlExecuted, ctx, {
          datasetId: entry.datasetId,
          userId: entry.userId,
          understood: outcome.understood,
          provider: BUILTIN_PROVIDER,
          rowCount: outcome.rowCount,
          durationMs: outcome.timings.totalMs,
        }),
      );
    });
    deps.audit?.record(ctx, {
      service: 'aide',
      action: 'query',
      metadata: {
        datasetId: entry.datasetId,
        understood: outcome.understood,
        provider: BUILTIN_PROVIDER,
        rowCount: outcome.rowCount,
        durationMs: outcome.timings.totalMs,
      },
    });
  }

  return {
    async ask(ctx: RequestContext, body: Nl2SqlBody): Promise<Nl2SqlResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      const started = performance.now();
      const dataset = await findQuestionableDataset(db, actor, body.datasetId);
      const description = await describeDataset(db, dataset);
      const describeMs = elapsedSince(started);

      const generating = performance.now();
      const answer = answerQuestion(body.question, description);
      const generateMs = elapsedSince(generating);
      const entry = { userId: actor.id, datasetId: dataset.id, question: body.question };
      const answeredBy = { provider: BUILTIN_PROVIDER, promptVersion: BUILTIN_PROMPT_VERSION };

      if (!answer.understood) {
        const timings = {
          describeMs,
          generateMs,
          validateMs: 0,
          executeMs: 0,
          totalMs: elapsedSince(started),
        };
        await record(
          ctx,
          { ...entry, sql: null },
          { understood: false, rowCount: 0, truncated: false, timings },
        );
        return {
          understood: false,
          reason: answer.reason,
          suggestions: answer.suggestions,
          ...answeredBy,
          timings,
        };
      }

      const validating = performance.now();
      const table = description.table;
      const checked = await checkSql(answer.sql, { table, columns: dataset.columns.map((c) => c.name) });
      if (!checked.ok) {
        // The engine only writes what the sandbox allows: a refusal here is a bug in one of them.
        ctx.log.error(
          { datasetId: dataset.id, reason: checked.reason, detail: checked.detail, sql: answer.sql },
          'the sandbox refused SQL written by the built-in engine',
        );
        throw new SqlRefused(checked.reason, checked.detail);
      }
      const validateMs = elapsedSince(validating);

      const executing = performance.now();
      const role = await readerRoleFor(dataset.id, table);
      const result = await runReadOnly(db, checked.sql, {
        table,
        maxRows: MAX_RESULT_ROWS,
        timeoutMs: QUERY_TIMEOUT_MS,
        role,
      });
      const executeMs = elapsedSince(executing);
      const timings = { describeMs, generateMs, validateMs, executeMs, totalMs: elapsedSince(started) };
      await record(
        ctx,
        { ...entry, sql: checked.sql },
        { understood: true, rowCount: result.rows.length, truncated: result.truncated, timings },
      );
      return {
        understood: true,
        sql: checked.sql,
        columns: result.columns,
        rows: result.rows,
        truncated: result.truncated,
        chart: answer.chart,
        explanation: answer.explanation,
        model: null,
        ...answeredBy,
        timings,
      };
    },

    async history(ctx: RequestContext, query: HistoryQuery): Promise<History> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      // Only the caller's own questions, and only about a dataset they may still read.
      const dataset = await findQuestionableDataset(db, actor, query.datasetId);
      return { items: await listQuestions(db, actor.id, dataset.id, query.limit) };
    },

    /** `dataset.deleted`: the reader role and the history go with the dataset. */
    async forgetDataset(tx: Db, payload: unknown): Promise<void> {
      const { datasetId } = datasetDeleted.payload.parse(payload);
      const table = await findReaderTable(tx, datasetId);
      if (table) {
        const dropped = await dropReaderRoleIn(tx, table);
        if (!dropped)
          log.warn({ datasetId }, 'reader role kept: it still holds privileges in another database');
        await forgetReaderTable(tx, datasetId);
      }
      await deleteQuestionsOfDataset(tx, datasetId);
      readerRoles.delete(datasetId);
    },
  };
}

export type Nl2SqlService = ReturnType<typeof createNl2SqlService>;
