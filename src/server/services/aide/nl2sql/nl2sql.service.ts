import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  type History,
  type HistoryQuery,
  Nl2SqlAnswered,
  type Nl2SqlBody,
  Nl2SqlNotUnderstood,
  type Nl2SqlResponse,
  type Nl2SqlTimings,
  type ProviderFallback,
  type TokenUsage,
} from '../../../../contracts/aide/nl2sql.js';
import { datasetDeleted, nl2sqlExecuted } from '../../../../contracts/events/index.js';
import type { AuditClient } from '../../../platform/audit/audit-client.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import type { AppError } from '../../../platform/http/errors.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import { type AnswerCache, normaliseQuestion } from '../answer-cache.js';
import { describeDataset, findQuestionableDataset } from '../datasets/describe-dataset.js';
import {
  classifyProviderFailure,
  createBuiltinProvider,
  type ProviderAnswer,
  type ProviderInput,
  type TokenUsage as ProviderTokenUsage,
  type SqlProvider,
  type SqlProviders,
} from '../providers/index.js';
import type { RateLimits } from '../rate-limits.js';
import { runReadOnly } from '../sandbox/read-only-runner.js';
import { dropReaderRoleIn, ensureReaderRole } from '../sandbox/reader-roles.repository.js';
import {
  SqlFailed,
  SqlPermissionDenied,
  SqlRefused,
  SqlTimedOut,
  SqlTooCostly,
} from '../sandbox/sandbox.errors.js';
import { checkSql, type SandboxTable } from '../sandbox/sql-guard.js';
import type { UsageService } from '../usage/index.js';
import {
  deleteQuestionsOfDataset,
  findReaderTable,
  forgetReaderTable,
  insertQuestion,
  listQuestions,
  rememberReaderTable,
} from './nl2sql.repository.js';

export const MAX_RESULT_ROWS = 1000;
export const QUERY_TIMEOUT_MS = 5000;

export interface Nl2SqlDeps {
  db: Db;
  outbox: Outbox;
  clock: () => Date;
  log: Logger;
  /** Optional so the service can be tested alone; the module always passes the platform's client. */
  audit?: AuditClient;
  /** Who writes the SQL, chosen once by config; default: the built-in engine alone. */
  providers?: Pick<SqlProviders, 'primary' | 'builtin'>;
  /** The module always passes these three; a service tested alone may go without. */
  limits?: RateLimits;
  answers?: AnswerCache;
  usage?: UsageService;
}

/** What is kept of an answer in the cache: the response without what belongs to one request. */
const perRequest = { timings: true, usage: true, cached: true, fallback: true } as const;
const CachedAnswer = z.discriminatedUnion('understood', [
  Nl2SqlAnswered.omit(perRequest),
  Nl2SqlNotUnderstood.omit(perRequest),
]);
type CachedAnswer = z.infer<typeof CachedAnswer>;

const elapsedSince = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/** The sandbox and database errors a provider may be told about and asked to repair. */
const isRepairable = (err: unknown): err is AppError =>
  err instanceof SqlRefused ||
  err instanceof SqlFailed ||
  err instanceof SqlTooCostly ||
  err instanceof SqlTimedOut ||
  err instanceof SqlPermissionDenied;

/** Who answered: the provider itself, or the built-in engine standing in for it. */
interface Generated {
  answer: ProviderAnswer;
  by: SqlProvider;
  fallback?: ProviderFallback;
}

function addUsage(
  total: TokenUsage | undefined,
  more: ProviderTokenUsage | undefined,
): TokenUsage | undefined {
  if (!more) return total;
  const add = (a: number | null | undefined, b: number | undefined) =>
    a == null && b === undefined ? null : (a ?? 0) + (b ?? 0);
  return {
    inputTokens: add(total?.inputTokens, more.inputTokens),
    outputTokens: add(total?.outputTokens, more.outputTokens),
  };
}

/**
 * Natural language to SQL: sanitised question (by the contract) -> dataset description ->
 * provider (an LLM, falling back to the built-in engine when it fails) -> sandbox guard ->
 * read-only run under the dataset's reader role, with one repair attempt by an LLM whose SQL the
 * guard or the database refused. Every question is kept in the history and announced
 * (`nl2sql.executed`) in one transaction; the audit log gets a `query` event.
 */
export function createNl2SqlService(deps: Nl2SqlDeps) {
  const { db, outbox, clock, log } = deps;
  const builtin = deps.providers?.builtin ?? createBuiltinProvider();
  const primary = deps.providers?.primary ?? builtin;
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

  /** Asks `provider`; when an LLM fails (down, timeout, breaker open, bad answer), the engine answers. */
  async function generate(
    ctx: RequestContext,
    provider: SqlProvider,
    input: ProviderInput,
  ): Promise<Generated> {
    if (provider !== builtin && deps.limits && !(await deps.limits.admitProvider(provider))) {
      ctx.log.warn(
        { provider: provider.name, model: provider.model },
        'LLM provider rate limit reached; the built-in engine answers instead',
      );
      return {
        answer: await builtin.generateSql(input),
        by: builtin,
        fallback: { from: provider.name, reason: 'rate_limited' },
      };
    }
    try {
      return { answer: await provider.generateSql(input), by: provider };
    } catch (err) {
      if (provider === builtin) throw err;
      const reason = classifyProviderFailure(err);
      // The message only: SDK errors carry the request body (the prompt) and response headers.
      ctx.log.warn(
        { provider: provider.name, model: provider.model, reason, err: (err as Error).message },
        'LLM provider failed; the built-in engine answers instead',
      );
      return {
        answer: await builtin.generateSql(input),
        by: builtin,
        fallback: { from: provider.name, reason },
      };
    }
  }

  /** Guard, then run under the dataset's reader role. */
  async function validateAndRun(sqlText: string, datasetId: string, table: SandboxTable, columns: string[]) {
    const validating = performance.now();
    const checked = await checkSql(sqlText, { table, columns });
    if (!checked.ok) throw new SqlRefused(checked.reason, checked.detail);
    const validateMs = elapsedSince(validating);
    const executing = performance.now();
    const role = await readerRoleFor(datasetId, table);
    const result = await runReadOnly(db, checked.sql, {
      table,
      maxRows: MAX_RESULT_ROWS,
      timeoutMs: QUERY_TIMEOUT_MS,
      role,
    });
    return { sql: checked.sql, result, validateMs, executeMs: elapsedSince(executing) };
  }

  async function record(
    ctx: RequestContext,
    entry: { userId: string; datasetId: string; question: string; sql: string | null },
    by: { name: string; model: string | null; promptVersion: string },
    outcome: {
      understood: boolean;
      rowCount: number;
      truncated: boolean;
      timings: Nl2SqlTimings;
      usage: TokenUsage | undefined;
      cached: boolean;
      fallback: ProviderFallback | undefined;
    },
  ) {
    const { usage, cached, fallback, ...stored } = outcome;
    const counted = await db.transaction().execute(async (tx) => {
      await insertQuestion(tx, {
        id: randomUUID(),
        ...entry,
        ...stored,
        provider: by.name,
        model: by.model,
        promptVersion: by.promptVersion,
        inputTokens: usage?.inputTokens ?? null,
        outputTokens: usage?.outputTokens ?? null,
        createdAt: clock(),
      });
      // Usage is the configured provider's: its budget, its tokens, its price, even when the
      // built-in engine stood in for it.
      const usageCounted = await deps.usage?.record(tx, {
        userId: entry.userId,
        datasetId: entry.datasetId,
        feature: 'nl2sql',
        provider: { name: primary.name, model: primary.model },
        cached,
        ...(fallback ? { fallbackReason: fallback.reason } : {}),
        ...(usage ? { tokens: usage } : {}),
        outcome: outcome.understood ? 'answered' : 'not_understood',
      });
      await outbox.add(
        tx,
        createEvent(nl2sqlExecuted, ctx, {
          datasetId: entry.datasetId,
          userId: entry.userId,
          understood: outcome.understood,
          provider: by.name,
          rowCount: outcome.rowCount,
          durationMs: outcome.timings.totalMs,
        }),
      );
      return usageCounted;
    });
    counted?.();
    deps.audit?.record(ctx, {
      service: 'aide',
      action: 'query',
      metadata: {
        datasetId: entry.datasetId,
        understood: outcome.understood,
        provider: by.name,
        rowCount: outcome.rowCount,
        durationMs: outcome.timings.totalMs,
        cached,
      },
    });
  }

  /** A cached answer, recorded like any other question (history, event, usage, audit). */
  async function answerFromCache(
    ctx: RequestContext,
    entry: { userId: string; datasetId: string; question: string },
    hit: CachedAnswer,
    started: number,
    describeMs: number,
  ): Promise<Nl2SqlResponse> {
    // The lookup stands where the provider would have been asked; nothing was validated or run.
    const totalMs = elapsedSince(started);
    const timings = {
      describeMs,
      generateMs: Math.max(0, totalMs - describeMs),
      validateMs: 0,
      executeMs: 0,
      totalMs,
    };
    const by = {
      name: hit.provider,
      model: hit.understood ? hit.model : primary.model,
      promptVersion: hit.promptVersion,
    };
    await record(ctx, { ...entry, sql: hit.understood ? hit.sql : null }, by, {
      understood: hit.understood,
      rowCount: hit.understood ? hit.rows.length : 0,
      truncated: hit.understood ? hit.truncated : false,
      timings,
      usage: undefined,
      cached: true,
      fallback: undefined,
    });
    return { ...hit, timings, cached: true };
  }

  return {
    async ask(ctx: RequestContext, body: Nl2SqlBody): Promise<Nl2SqlResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      await deps.limits?.admitUser(actor.id);
      const started = performance.now();
      const dataset = await findQuestionableDataset(db, actor, body.datasetId);
      const description = await describeDataset(db, dataset);
      const describeMs = elapsedSince(started);

      const cacheKey = deps.answers?.keyFor('nl2sql', dataset.id, {
        version: deps.answers.datasetVersion(description, dataset.rowCount),
        provider: primary.name,
        model: primary.model,
        promptVersion: primary.promptVersion,
        question: normaliseQuestion(body.question),
        context: (body.context ?? []).map(normaliseQuestion),
      });
      const hit = cacheKey ? await deps.answers?.get('nl2sql', cacheKey, CachedAnswer) : undefined;
      if (hit)
        return answerFromCache(
          ctx,
          { userId: actor.id, datasetId: dataset.id, question: body.question },
          hit,
          started,
          describeMs,
        );
      // An answer the built-in engine gave in place of the provider is not kept: the provider
      // should answer the same question again once it is back.
      const remember = async (response: Nl2SqlResponse) => {
        if (!cacheKey || response.fallback) return;
        const { timings: _t, usage: _u, cached: _c, fallback: _f, ...kept } = response;
        await deps.answers?.set(cacheKey, kept);
      };

      const input: ProviderInput = { question: body.question, dataset: description, context: body.context };
      const generating = performance.now();
      let generated = await generate(ctx, primary, input);
      let generateMs = elapsedSince(generating);
      let usage = addUsage(undefined, generated.answer.usage);
      const entry = { userId: actor.id, datasetId: dataset.id, question: body.question };
      const answeredBy = () => ({
        provider: generated.by.name,
        promptVersion: generated.by.promptVersion,
        ...(generated.fallback ? { fallback: generated.fallback } : {}),
        ...(usage ? { usage } : {}),
      });

      const notUnderstood = async (answer: { reason: string; suggestions: string[] }) => {
        const timings = {
          describeMs,
          generateMs,
          validateMs: 0,
          executeMs: 0,
          totalMs: elapsedSince(started),
        };
        await record(ctx, { ...entry, sql: null }, generated.by, {
          understood: false,
          rowCount: 0,
          truncated: false,
          timings,
          usage,
          cached: false,
          fallback: generated.fallback,
        });
        const response = { understood: false as const, ...answer, ...answeredBy(), timings, cached: false };
        await remember(response);
        return response;
      };
      if (!generated.answer.understood) return notUnderstood(generated.answer);

      const table = description.table;
      const columns = dataset.columns.map((c) => c.name);
      let answer = generated.answer;
      let ran: Awaited<ReturnType<typeof validateAndRun>>;
      try {
        ran = await validateAndRun(answer.sql, dataset.id, table, columns);
      } catch (err) {
        if (!isRepairable(err)) throw err;
        if (!generated.by.repairs) {
          // The engine only writes what the sandbox allows: a refusal here is a bug in one of them.
          if (err instanceof SqlRefused)
            ctx.log.error(
              { datasetId: dataset.id, reason: err.reason, detail: err.message, sql: answer.sql },
              'the sandbox refused SQL written by the built-in engine',
            );
          throw err;
        }
        // One repair: the same provider sees its SQL and why it was refused. Whatever it writes
        // next goes through the same guard; a second refusal is the answer.
        ctx.log.info(
          { datasetId: dataset.id, provider: generated.by.name, code: err.code, detail: err.message },
          'LLM SQL refused; asking for one repair',
        );
        const repairing = performance.now();
        generated = await generate(ctx, generated.by, {
          ...input,
          previousError: { sql: answer.sql, message: err.message },
        });
        usage = addUsage(usage, generated.answer.usage);
        generateMs += elapsedSince(repairing);
        if (!generated.answer.understood) return notUnderstood(generated.answer);
        answer = generated.answer;
        ran = await validateAndRun(answer.sql, dataset.id, table, columns);
      }
      const { result } = ran;
      const timings = {
        describeMs,
        generateMs,
        validateMs: ran.validateMs,
        executeMs: ran.executeMs,
        totalMs: elapsedSince(started),
      };
      await record(ctx, { ...entry, sql: ran.sql }, generated.by, {
        understood: true,
        rowCount: result.rows.length,
        truncated: result.truncated,
        timings,
        usage,
        cached: false,
        fallback: generated.fallback,
      });
      const response: Nl2SqlResponse = {
        understood: true,
        sql: ran.sql,
        columns: result.columns,
        rows: result.rows,
        truncated: result.truncated,
        chart: answer.chart,
        explanation: answer.explanation,
        model: generated.by.model,
        ...answeredBy(),
        timings,
        cached: false,
      };
      await remember(response);
      return response;
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
      await deps.answers?.forgetDataset(datasetId);
    },
  };
}

export type Nl2SqlService = ReturnType<typeof createNl2SqlService>;
