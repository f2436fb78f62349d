import { lazy, Suspense, useMemo } from 'react';
import type { Nl2SqlResponse } from '../../../../contracts/aide/nl2sql.js';
import { Skeleton } from '../../../shared/ui/card.js';
import { CopyButton } from '../../auth/components/copy-button.js';
import { fallbackReasons, formatCell, planChart } from './answer-format.js';

const AnswerChart = lazy(() => import('./answer-chart.js'));

type Answered = Extract<Nl2SqlResponse, { understood: true }>;
type NotUnderstood = Extract<Nl2SqlResponse, { understood: false }>;

/** Rows drawn in the table; the rest of a 1,000-row answer is in the SQL for whoever needs it. */
export const SHOWN_ROWS = 100;

/** Who answered and how long each step took, in small print; a fallback is said plainly. */
export function AnsweredBy({ answer }: { answer: Nl2SqlResponse }) {
  const t = answer.timings;
  const model = answer.understood && answer.model ? ` (${answer.model})` : '';
  const usage = answer.usage;
  return (
    <div className="space-y-1 text-xs text-slate-600 dark:text-slate-400">
      {answer.fallback && (
        <p data-testid="answer-fallback">
          The {answer.fallback.from} provider {fallbackReasons[answer.fallback.reason]}, so the built-in
          engine answered.
        </p>
      )}
      {answer.cached && (
        <p data-testid="answer-cached">
          Answered from the cache: this question was answered on this version of the dataset shortly before.
        </p>
      )}
      <p>
        Answered by {answer.provider}
        {model} · prompt {answer.promptVersion} · {Math.round(t.totalMs)} ms (describe{' '}
        {Math.round(t.describeMs)}, generate {Math.round(t.generateMs)}, validate {Math.round(t.validateMs)},
        run {Math.round(t.executeMs)})
        {usage && ` · tokens ${usage.inputTokens ?? '?'} in, ${usage.outputTokens ?? '?'} out`}
      </p>
    </div>
  );
}

/** What the live region says when an answer arrives: short, the panel shows the rest. */
export function answerStatus(answer: Nl2SqlResponse, question: string): string {
  if (!answer.understood) return `I did not understand “${question}”. ${answer.reason}`;
  const rows = `${answer.rows.length.toLocaleString('en-US')} ${answer.rows.length === 1 ? 'row' : 'rows'}`;
  return `${answer.explanation} ${rows}${answer.truncated ? ', truncated' : ''}.`;
}

/** An understood question: the sentence, a chart when one fits, the rows and the SQL. */
export function AnswerView({ answer, question }: { answer: Answered; question: string }) {
  const plan = useMemo(() => planChart(answer.chart, answer.columns, answer.rows), [answer]);
  const shown = answer.rows.slice(0, SHOWN_ROWS);
  const kindOf = new Map(answer.columns.map((c) => [c.name, c.kind]));
  return (
    <div className="space-y-4">
      <p className="font-medium">
        <span className="sr-only">Answer to “{question}”: </span>
        {answer.explanation}
      </p>
      {plan?.type === 'number' ? (
        <p className="flex flex-col">
          <span className="text-sm text-slate-600 dark:text-slate-400">{plan.y}</span>
          <span data-testid="answer-number" className="text-3xl font-semibold tabular-nums">
            {plan.value}
          </span>
        </p>
      ) : plan ? (
        <Suspense fallback={<Skeleton className="h-64 w-full" />}>
          <AnswerChart
            type={plan.type}
            labels={plan.labels}
            values={plan.values}
            seriesLabel={plan.y}
            ariaLabel={`${plan.type === 'pie' ? 'Pie' : plan.type === 'line' ? 'Line' : 'Bar'} chart of ${plan.y} by ${plan.x}; the table below lists every value`}
          />
        </Suspense>
      ) : null}
      {plan?.type !== 'number' && (
        <div className="space-y-1">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {answer.rows.length === 0
              ? 'No rows match.'
              : `Showing ${shown.length.toLocaleString('en-US')} of ${answer.rows.length.toLocaleString('en-US')} ${answer.rows.length === 1 ? 'row' : 'rows'}.`}
            {answer.truncated &&
              ` The result was truncated: it has more rows than the ${answer.rows.length.toLocaleString('en-US')} returned.`}
          </p>
          {shown.length > 0 && (
            <section
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
              tabIndex={0}
              aria-label="Rows of the answer"
              className="max-h-96 overflow-auto rounded-md border border-slate-200 dark:border-slate-700"
            >
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Rows of the answer</caption>
                <thead className="sticky top-0 bg-slate-100 dark:bg-slate-800">
                  <tr>
                    {answer.columns.map((c) => (
                      <th
                        key={c.name}
                        scope="col"
                        className={`px-3 py-2 font-medium whitespace-nowrap ${kindOf.get(c.name) === 'number' ? 'text-right' : ''}`}
                      >
                        {c.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((row, i) => (
                    // Rows have no identity of their own; their order is the answer's.
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above.
                    <tr key={i} className="border-t border-slate-200 dark:border-slate-700">
                      {answer.columns.map((c) => (
                        <td
                          key={c.name}
                          className={`px-3 py-1.5 ${kindOf.get(c.name) === 'number' ? 'text-right tabular-nums' : ''}`}
                        >
                          {formatCell(row[c.name], kindOf.get(c.name))}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </div>
      )}
      <div className="space-y-2">
        <div className="flex items-center justify-between gap-2">
          <h3 className="text-sm font-medium">SQL</h3>
          <CopyButton text={answer.sql} label="Copy SQL" copiedMessage="SQL copied to the clipboard." />
        </div>
        <pre className="rounded-md bg-slate-100 p-3 text-xs whitespace-pre-wrap break-words text-slate-900 dark:bg-slate-950 dark:text-slate-100">
          <code>{answer.sql}</code>
        </pre>
      </div>
      <AnsweredBy answer={answer} />
    </div>
  );
}

/** A question the engine did not understand: why, and questions it does answer on this dataset. */
export function NotUnderstoodView({
  answer,
  question,
  onAsk,
  disabled,
}: {
  answer: NotUnderstood;
  question: string;
  onAsk: (question: string) => void;
  disabled: boolean;
}) {
  return (
    <div className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50">
      <p className="font-medium">I did not understand “{question}”.</p>
      <p className="text-sm">{answer.reason}</p>
      {answer.suggestions.length > 0 && (
        <div className="space-y-2">
          <p className="text-sm">Questions I can answer on this dataset:</p>
          <ul className="flex flex-wrap gap-2">
            {answer.suggestions.map((s) => (
              <li key={s}>
                <button
                  type="button"
                  disabled={disabled}
                  onClick={() => onAsk(s)}
                  className="rounded-full border border-amber-400 bg-white px-3 py-1 text-left text-sm text-slate-900 hover:bg-amber-100 disabled:cursor-not-allowed disabled:opacity-60 dark:border-amber-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800"
                >
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <AnsweredBy answer={answer} />
    </div>
  );
}
