/**
 * The question set on real databases: every fixture dataset is stored as AXI stores it, then for
 * each question the engine's SQL and the hand-written SQL run and their rows are compared. The
 * engine's SQL is also parsed with the real PostgreSQL parser: one SELECT, reading only the
 * dataset's table, calling only the functions listed here (what the sandbox must allow). The
 * follow-up set is run the same way, each question asked after its conversation's context.
 * Held-out sets 4 to 8 (each measured once while held out, then looked at and its wrong answers
 * fixed by class) run like the set: every answer right, every must-refuse refused.
 */
import { sql } from 'kysely';
import { loadModule, parseSync } from 'libpg-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../../../../test/support/databases.js';
import type { DatabaseHandle } from '../../../platform/db/database.js';
import { answerQuestion } from './answer-question.js';
import type { DatasetDescription } from './engine.types.js';
import { sameRows } from './fixtures/compare-rows.js';
import { fixtureDatasets } from './fixtures/datasets.js';
import { followUpQuestions, hostileFollowUps, refusedFollowUps } from './fixtures/follow-up-questions.js';
import { heldOutQuestions4, heldOutRefused4 } from './fixtures/held-out-questions-4.js';
import { heldOutQuestions5, heldOutRefused5 } from './fixtures/held-out-questions-5.js';
import { heldOutQuestions6, heldOutRefused6 } from './fixtures/held-out-questions-6.js';
import { heldOutQuestions7, heldOutRefused7 } from './fixtures/held-out-questions-7.js';
import { heldOutQuestions8, heldOutRefused8 } from './fixtures/held-out-questions-8.js';
import { loadFixtures } from './fixtures/load-fixtures.js';
import { answerableQuestions, refusedQuestions } from './fixtures/questions.js';
import { qualifiedTable } from './sql-text.js';

const ENGINE_FUNCTIONS = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'percentile_cont',
  'date_trunc',
  'extract',
  'timezone',
  'nullif',
]);
// The share of the set the engine must answer; every answer it gives must be right.
const MIN_ANSWERED_SHARE = 0.9;

/** Every node of a given type in a libpg-query parse tree. */
function nodesOf(
  tree: unknown,
  type: string,
  out: Record<string, unknown>[] = [],
): Record<string, unknown>[] {
  if (Array.isArray(tree)) for (const item of tree) nodesOf(item, type, out);
  else if (tree && typeof tree === 'object') {
    for (const [key, value] of Object.entries(tree)) {
      if (key === type) out.push(value as Record<string, unknown>);
      nodesOf(value, type, out);
    }
  }
  return out;
}

function checkShape(engineSql: string, dataset: DatasetDescription) {
  const tree = parseSync(engineSql) as { stmts: { stmt: Record<string, unknown> }[] };
  expect(tree.stmts).toHaveLength(1);
  expect(Object.keys(tree.stmts[0]!.stmt)).toEqual(['SelectStmt']);
  for (const rangeVar of nodesOf(tree, 'RangeVar'))
    expect({ schema: rangeVar.schemaname, name: rangeVar.relname }).toEqual(dataset.table);
  for (const call of nodesOf(tree, 'FuncCall')) {
    const names = (call.funcname as { String: { sval: string } }[]).map((n) => n.String.sval);
    expect(ENGINE_FUNCTIONS.has(names.at(-1)!), `function ${names.join('.')}`).toBe(true);
  }
}

describe.each(databaseTargets())('AIDE engine question set on $name', (target) => {
  let handle: DatabaseHandle;
  let descriptions = new Map<string, DatasetDescription>();

  beforeAll(async () => {
    await loadModule();
    handle = await target.open();
    descriptions = await loadFixtures(handle.db, fixtureDatasets);
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** Runs the engine's SQL and the hand-written SQL and compares their rows. */
  async function expectSameRows(
    q: { dataset: string; expectedSql: string; ordered?: boolean },
    answer: ReturnType<typeof answerQuestion>,
  ) {
    const dataset = descriptions.get(q.dataset)!;
    if (!answer.understood) {
      expect(answer.suggestions.length).toBeGreaterThan(0);
      return;
    }
    checkShape(answer.sql, dataset);
    const expected = await sql
      .raw(q.expectedSql.replaceAll('{t}', qualifiedTable(dataset.table)))
      .execute(handle.db);
    const actual = await sql.raw(answer.sql).execute(handle.db);
    expect(expected.rows.length, 'the hand-written SQL returns rows').toBeGreaterThan(0);
    expect(
      sameRows(
        actual.rows as Record<string, unknown>[],
        expected.rows as Record<string, unknown>[],
        q.ordered ?? false,
      ),
      `rows of ${answer.sql}`,
    ).toBe(true);
  }

  it.each(answerableQuestions)('[$dataset] $question', async (q) => {
    await expectSameRows(q, answerQuestion(q.question, descriptions.get(q.dataset)!));
  });

  it(`answers at least ${MIN_ANSWERED_SHARE * 100}% of the set`, () => {
    const answered = answerableQuestions.filter(
      (q) => answerQuestion(q.question, descriptions.get(q.dataset)!).understood,
    );
    expect(answered.length / answerableQuestions.length).toBeGreaterThanOrEqual(MIN_ANSWERED_SHARE);
  });

  it.each(refusedQuestions)('refuses [$dataset] $question ($why)', (q) => {
    const answer = answerQuestion(q.question, descriptions.get(q.dataset)!);
    expect(answer.understood).toBe(false);
    if (!answer.understood) expect(answer.suggestions.length).toBeGreaterThan(0);
  });

  describe.each([
    { set: 4, answerable: heldOutQuestions4, refused: heldOutRefused4 },
    { set: 5, answerable: heldOutQuestions5, refused: heldOutRefused5 },
    { set: 6, answerable: heldOutQuestions6, refused: heldOutRefused6 },
    { set: 7, answerable: heldOutQuestions7, refused: heldOutRefused7 },
    { set: 8, answerable: heldOutQuestions8, refused: heldOutRefused8 },
  ])('held-out set $set', ({ answerable, refused }) => {
    it.each(answerable)('[$dataset] $question', async (q) => {
      await expectSameRows(q, answerQuestion(q.question, descriptions.get(q.dataset)!));
    });

    it.each(refused)('refuses [$dataset] $question ($why)', (q) => {
      const answer = answerQuestion(q.question, descriptions.get(q.dataset)!);
      expect(answer.understood, answer.understood ? answer.sql : '').toBe(false);
    });
  });

  describe('follow-ups', () => {
    const ask = (q: { dataset: string; context: string[]; question: string }) =>
      answerQuestion(q.question, descriptions.get(q.dataset)!, { context: q.context });

    it.each(followUpQuestions)('[$dataset] $context -> $question', async (q) => {
      const answer = ask(q);
      await expectSameRows(q, answer);
      if (answer.understood) expect(answer.explanation).toContain(`follow-up to "${q.context[0]}"`);
    });

    it(`answers at least ${MIN_ANSWERED_SHARE * 100}% of the follow-up set`, () => {
      const answered = followUpQuestions.filter((q) => ask(q).understood);
      expect(answered.length / followUpQuestions.length).toBeGreaterThanOrEqual(MIN_ANSWERED_SHARE);
    });

    it.each(refusedFollowUps)('refuses [$dataset] $context -> $question ($why)', (q) => {
      const answer = ask(q);
      expect(answer.understood, answer.understood ? answer.sql : '').toBe(false);
      if (!answer.understood) expect(answer.suggestions.length).toBeGreaterThan(0);
    });

    it.each(hostileFollowUps)(
      'hostile context [$dataset] -> $question: refused or one harmless SELECT',
      async (q) => {
        const answer = ask(q);
        if (!answer.understood) return;
        const dataset = descriptions.get(q.dataset)!;
        checkShape(answer.sql, dataset);
        await sql.raw(answer.sql).execute(handle.db);
        const tables = await sql<{ n: number }>`select count(*)::int as n from axi.datasets`.execute(
          handle.db,
        );
        expect(tables.rows[0]!.n).toBe(fixtureDatasets.length);
      },
    );
  });
});
