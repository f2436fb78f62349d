/**
 * AIDE built-in NL->SQL engine over its question set (src/server/services/aide/engine/fixtures):
 * eight generated datasets (sales orders, employees, weather readings, web traffic, flights, and
 * titanic/taxis/superstore shaped like public datasets) in an embedded PGlite; for every question
 * the engine's SQL and the hand-written SQL are both run and their rows compared. Printed:
 *   - share of answerable questions answered, and share of the answered that are correct, for the
 *     question set and for eight held-out sets (see their files for how held-out each is)
 *   - share of the must-refuse questions (unknown columns, nonsense, hostile) refused, for the
 *     question set and for held-out sets 3 to 8
 *   - p50/p95 latency of answerQuestion alone (no execution), target p95 < 50 ms, with the ratio
 *   - the same for the follow-up set (fixtures/follow-up-questions.ts): each question asked after its
 *     conversation's earlier questions; answered / correct, refused of must-refuse, and latency
 *     (which includes reading the context), apart from the figures above so they stay comparable
 * Each miss is listed with the engine's reason or SQL, so the figures can be checked by hand,
 * except held-out sets 6 to 8's, which stay hidden unless BENCH_SHOW_HELD_OUT_6=1 /
 * BENCH_SHOW_HELD_OUT_7=1 / BENCH_SHOW_HELD_OUT_8=1 (BENCH_SKIP_HELD_OUT_<n>=1 leaves one out). Each
 * was measured once while held out: set 6's misses then guided the fixes for real-world header
 * styles, set 7's four wrong answers were then fixed by class, as sets 4 and 5's were.
 *
 *   npx tsx bench/aide-engine.ts            (BENCH_REPEAT=200 calls per question for latency)
 */
import { sql } from 'kysely';
import { openEmbeddedDatabase } from '../src/server/platform/db/database.js';
import { answerQuestion } from '../src/server/services/aide/engine/answer-question.js';
import { sameRows } from '../src/server/services/aide/engine/fixtures/compare-rows.js';
import { fixtureDatasets } from '../src/server/services/aide/engine/fixtures/datasets.js';
import {
  followUpQuestions,
  refusedFollowUps,
} from '../src/server/services/aide/engine/fixtures/follow-up-questions.js';
import { heldOutQuestions } from '../src/server/services/aide/engine/fixtures/held-out-questions.js';
import { heldOutQuestions2 } from '../src/server/services/aide/engine/fixtures/held-out-questions-2.js';
import {
  heldOutQuestions3,
  heldOutRefused3,
} from '../src/server/services/aide/engine/fixtures/held-out-questions-3.js';
import {
  heldOutQuestions4,
  heldOutRefused4,
} from '../src/server/services/aide/engine/fixtures/held-out-questions-4.js';
import {
  heldOutQuestions5,
  heldOutRefused5,
} from '../src/server/services/aide/engine/fixtures/held-out-questions-5.js';
import {
  heldOutQuestions6,
  heldOutRefused6,
} from '../src/server/services/aide/engine/fixtures/held-out-questions-6.js';
import {
  heldOutQuestions7,
  heldOutRefused7,
} from '../src/server/services/aide/engine/fixtures/held-out-questions-7.js';
import {
  heldOutQuestions8,
  heldOutRefused8,
} from '../src/server/services/aide/engine/fixtures/held-out-questions-8.js';
import { loadFixtures } from '../src/server/services/aide/engine/fixtures/load-fixtures.js';
import {
  type AnswerableQuestion,
  answerableQuestions,
  type RefusedQuestion,
  refusedQuestions,
} from '../src/server/services/aide/engine/fixtures/questions.js';
import { qualifiedTable } from '../src/server/services/aide/engine/sql-text.js';

const TARGET_P95_MS = 50;
const repeat = Number(process.env.BENCH_REPEAT ?? 200);
const showHeldOut6 = process.env.BENCH_SHOW_HELD_OUT_6 === '1';
const skipHeldOut6 = process.env.BENCH_SKIP_HELD_OUT_6 === '1';
const showHeldOut7 = process.env.BENCH_SHOW_HELD_OUT_7 === '1';
const skipHeldOut7 = process.env.BENCH_SKIP_HELD_OUT_7 === '1';
const showHeldOut8 = process.env.BENCH_SHOW_HELD_OUT_8 === '1';
const skipHeldOut8 = process.env.BENCH_SKIP_HELD_OUT_8 === '1';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const handle = await openEmbeddedDatabase({ dataDir: 'memory://' });
  try {
    const descriptions = await loadFixtures(handle.db, fixtureDatasets);

    const misses: string[] = [];
    const ask = (q: { dataset: AnswerableQuestion['dataset']; question: string; context?: string[] }) =>
      answerQuestion(q.question, descriptions.get(q.dataset)!, q.context ? { context: q.context } : {});
    const asked = (q: { question: string; context?: string[] }) =>
      q.context ? `${q.context.map((c) => `${c} | `).join('')}${q.question}` : q.question;
    const score = async (
      questions: (AnswerableQuestion & { context?: string[] })[],
      label: string,
      listMisses = true,
    ) => {
      const missesOfSet = listMisses ? misses : [];
      let answered = 0;
      let correct = 0;
      for (const q of questions) {
        const dataset = descriptions.get(q.dataset)!;
        const answer = ask(q);
        if (!answer.understood) {
          missesOfSet.push(
            `  not answered  [${label} ${q.dataset}] ${asked(q)}\n                ${answer.reason}`,
          );
          continue;
        }
        answered++;
        const expectedSql = q.expectedSql.replaceAll('{t}', qualifiedTable(dataset.table));
        const expected = await sql.raw(expectedSql).execute(handle.db);
        let ok = false;
        try {
          const actual = await sql.raw(answer.sql).execute(handle.db);
          ok = sameRows(
            actual.rows as Record<string, unknown>[],
            expected.rows as Record<string, unknown>[],
            q.ordered ?? false,
          );
        } catch (error) {
          missesOfSet.push(
            `  SQL error     [${label} ${q.dataset}] ${asked(q)}\n                ${(error as Error).message}`,
          );
        }
        if (ok) correct++;
        else
          missesOfSet.push(
            `  WRONG         [${label} ${q.dataset}] ${asked(q)}\n                ${answer.sql}`,
          );
      }
      return { answered, correct, total: questions.length };
    };
    const main = await score(answerableQuestions, 'set');
    const heldOut = await score(heldOutQuestions, 'held-out');
    const heldOut2 = await score(heldOutQuestions2, 'held-out-2');
    const heldOut3 = await score(heldOutQuestions3, 'held-out-3');
    const heldOut4 = await score(heldOutQuestions4, 'held-out-4');
    const heldOut5 = await score(heldOutQuestions5, 'held-out-5');
    const heldOut6 = skipHeldOut6 ? undefined : await score(heldOutQuestions6, 'held-out-6', showHeldOut6);
    const heldOut7 = skipHeldOut7 ? undefined : await score(heldOutQuestions7, 'held-out-7', showHeldOut7);
    const heldOut8 = skipHeldOut8 ? undefined : await score(heldOutQuestions8, 'held-out-8', showHeldOut8);
    const followUps = await score(followUpQuestions, 'follow-up');

    const countRefused = (questions: RefusedQuestion[], label: string, listMisses = true) => {
      let refused = 0;
      for (const q of questions) {
        const answer = answerQuestion(q.question, descriptions.get(q.dataset)!);
        if (!answer.understood) refused++;
        else if (listMisses)
          misses.push(`  not refused   [${label} ${q.dataset}] ${q.question}\n                ${answer.sql}`);
      }
      return refused;
    };
    const refused = countRefused(refusedQuestions, 'set');
    const refused3 = countRefused(heldOutRefused3, 'held-out-3');
    const refused4 = countRefused(heldOutRefused4, 'held-out-4');
    const refused5 = countRefused(heldOutRefused5, 'held-out-5');
    const refused6 = skipHeldOut6 ? undefined : countRefused(heldOutRefused6, 'held-out-6', showHeldOut6);
    const refused7 = skipHeldOut7 ? undefined : countRefused(heldOutRefused7, 'held-out-7', showHeldOut7);
    const refused8 = skipHeldOut8 ? undefined : countRefused(heldOutRefused8, 'held-out-8', showHeldOut8);

    const timings: number[] = [];
    const all = [
      ...answerableQuestions,
      ...heldOutQuestions,
      ...heldOutQuestions2,
      ...heldOutQuestions3,
      ...heldOutQuestions4,
      ...heldOutQuestions5,
      ...heldOutQuestions6,
      ...heldOutQuestions7,
      ...heldOutQuestions8,
      ...refusedQuestions,
      ...heldOutRefused3,
      ...heldOutRefused4,
      ...heldOutRefused5,
      ...heldOutRefused6,
      ...heldOutRefused7,
      ...heldOutRefused8,
    ];
    for (let r = 0; r < repeat; r++) {
      for (const q of all) {
        const dataset = descriptions.get(q.dataset)!;
        const started = performance.now();
        answerQuestion(q.question, dataset);
        timings.push(performance.now() - started);
      }
    }
    timings.sort((a, b) => a - b);
    const p50 = percentile(timings, 50);
    const p95 = percentile(timings, 95);

    let followUpsRefused = 0;
    for (const q of refusedFollowUps) {
      const answer = ask(q);
      if (!answer.understood) followUpsRefused++;
      else misses.push(`  not refused   [follow-up ${q.dataset}] ${asked(q)}\n                ${answer.sql}`);
    }
    const followUpTimings: number[] = [];
    for (let r = 0; r < repeat; r++) {
      for (const q of [...followUpQuestions, ...refusedFollowUps]) {
        const started = performance.now();
        ask(q);
        followUpTimings.push(performance.now() - started);
      }
    }
    followUpTimings.sort((a, b) => a - b);
    const followUpP50 = percentile(followUpTimings, 50);
    const followUpP95 = percentile(followUpTimings, 95);

    const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}% (${n}/${d})`;
    console.log(
      `AIDE engine question set: ${answerableQuestions.length} answerable, ${refusedQuestions.length} to refuse, ${fixtureDatasets.length} datasets`,
    );
    for (const [label, r] of [
      ['question set (tuned on)', main],
      [`held-out set 1 (${heldOutQuestions.length}; its misses guided the last general fixes)`, heldOut],
      [
        `held-out set 2 (${heldOutQuestions2.length}; mostly an unseen dataset; its misses guided later general fixes)`,
        heldOut2,
      ],
      [
        `held-out set 3 (${heldOutQuestions3.length}; titanic/taxis/superstore, written before the changes for them, looked at)`,
        heldOut3,
      ],
      [
        `held-out set 4 (${heldOutQuestions4.length}; written with set 3, looked at once its three wrong answers were fixed by class)`,
        heldOut4,
      ],
      [
        `held-out set 5 (${heldOutQuestions5.length}; written before those fixes, looked at once measured, its wrong answers then fixed by class)`,
        heldOut5,
      ],
      ...(heldOut6
        ? ([
            [
              `held-out set 6 (${heldOutQuestions6.length}; gapminder/bikes and older datasets, measured once at 41.7% answered / 95.0% correct, then its misses guided the real-world header fixes)`,
              heldOut6,
            ],
          ] as const)
        : []),
      ...(heldOut7
        ? ([
            [
              `held-out set 7 (${heldOutQuestions7.length}; worldbank/housing/penguins, written before set 6's fixes, measured once at 85.0% / 88.2%, then its four wrong answers fixed by class)`,
              heldOut7,
            ],
          ] as const)
        : []),
      ...(heldOut8
        ? ([
            [
              `held-out set 8 (${heldOutQuestions8.length}; mtcars/movies, written before any change for them, measured once at 39.0% / 93.8%, then fixed by class)`,
              heldOut8,
            ],
          ] as const)
        : []),
    ] as const) {
      console.log(`${label}`);
      console.log(`  answered                   ${pct(r.answered, r.total)}`);
      console.log(`  correct of answered        ${pct(r.correct, r.answered)}`);
      console.log(`  correct of all             ${pct(r.correct, r.total)}`);
    }
    console.log(`refused of must-refuse       ${pct(refused, refusedQuestions.length)}`);
    console.log(`  held-out 3 must-refuse     ${pct(refused3, heldOutRefused3.length)}`);
    console.log(`  held-out 4 must-refuse     ${pct(refused4, heldOutRefused4.length)}`);
    console.log(`  held-out 5 must-refuse     ${pct(refused5, heldOutRefused5.length)}`);
    if (refused6 !== undefined)
      console.log(`  held-out 6 must-refuse     ${pct(refused6, heldOutRefused6.length)}`);
    if (refused7 !== undefined)
      console.log(`  held-out 7 must-refuse     ${pct(refused7, heldOutRefused7.length)}`);
    if (refused8 !== undefined)
      console.log(`  held-out 8 must-refuse     ${pct(refused8, heldOutRefused8.length)}`);
    console.log(
      `answerQuestion latency       p50 ${p50.toFixed(3)} ms   p95 ${p95.toFixed(3)} ms   target p95 < ${TARGET_P95_MS} ms   ratio ${(p95 / TARGET_P95_MS).toFixed(4)}  ${p95 < TARGET_P95_MS ? 'ok' : 'OVER TARGET'}   (${timings.length} calls)`,
    );
    console.log(
      `follow-up set (${followUpQuestions.length} questions after their context, ${refusedFollowUps.length} to refuse)`,
    );
    console.log(`  answered                   ${pct(followUps.answered, followUps.total)}`);
    console.log(`  correct of answered        ${pct(followUps.correct, followUps.answered)}`);
    console.log(`  correct of all             ${pct(followUps.correct, followUps.total)}`);
    console.log(`  refused of must-refuse     ${pct(followUpsRefused, refusedFollowUps.length)}`);
    console.log(
      `  latency with context       p50 ${followUpP50.toFixed(3)} ms   p95 ${followUpP95.toFixed(3)} ms   target p95 < ${TARGET_P95_MS} ms   ${followUpP95 < TARGET_P95_MS ? 'ok' : 'OVER TARGET'}   (${followUpTimings.length} calls)`,
    );
    if (misses.length > 0) console.log(`\nmisses:\n${misses.join('\n')}`);
  } finally {
    await handle.close();
  }
}

await main();
