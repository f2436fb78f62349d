import { type FormEvent, useId, useRef, useState } from 'react';
import { questionMaxLength } from '../../../../contracts/aide/nl2sql.js';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import { ApiError } from '../../../shared/api/http.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, Skeleton } from '../../../shared/ui/card.js';
import { canRunAnalyses } from '../../analytics/components/analysis-error.js';
import { useAsk } from '../hooks.js';
import { AnswerView, answerStatus, NotUnderstoodView } from './answer-view.js';
import { QuestionHistory } from './question-history.js';

const numericTypes = new Set(['integer', 'bigint', 'double']);

/** Most earlier questions sent along with a follow-up (the contract's limit). */
export const MAX_CONTEXT = 10;

/**
 * The conversation after `question` was answered: oldest first, the last MAX_CONTEXT kept; the
 * same question asked again right away (from the history, say) adds nothing new.
 */
export function extendContext(context: readonly string[], question: string): string[] {
  if (context.at(-1) === question) return [...context];
  return [...context, question].slice(-MAX_CONTEXT);
}

/** An example question built from the dataset's own columns, so the placeholder is one it answers. */
export function exampleQuestion(columns: DatasetColumn[]): string {
  const measure = columns.find((c) => numericTypes.has(c.type))?.originalName.toLowerCase();
  const group = columns.find((c) => c.type === 'text')?.originalName.toLowerCase();
  if (measure && group) return `e.g. total ${measure} by ${group}`;
  if (measure) return `e.g. average ${measure}`;
  if (group) return `e.g. how many rows per ${group}`;
  return 'e.g. how many rows';
}

/** A failed question in words: the server's problem+json detail and each field it named. */
function AskError({ error }: { error: unknown }) {
  const api = error instanceof ApiError ? error : undefined;
  const title =
    api?.status === 422
      ? (api.problem?.title ?? 'The question could not be answered')
      : api?.status === 429
        ? 'Too many questions for now'
        : 'Asking failed';
  const fields = api?.problem?.errors?.map((e) => e.message) ?? [];
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-medium">{title}</p>
      <p className="mt-1">{fields.length > 0 ? fields.join(' ') : (error as Error).message}</p>
    </div>
  );
}

/**
 * "Ask a question" on the dataset page: plain words in, the SQL's rows, a chart and the SQL out,
 * or a clear "I did not understand" with questions that are answered. Analysts and admins only,
 * as on the server.
 */
export function AskPanel({ datasetId, columns }: { datasetId: string; columns: DatasetColumn[] }) {
  const { user } = useSession();
  const allowed = canRunAnalyses(user?.roles);
  const headingId = useId();
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const followUpId = useId();
  const [text, setText] = useState('');
  const [formError, setFormError] = useState<string>();
  // Questions answered in this panel session, oldest first: a follow-up ("and by month?") is
  // read against them. Refused and failed questions stay out, they explain nothing.
  const [context, setContext] = useState<string[]>([]);
  const inputRef = useRef<HTMLInputElement>(null);
  const ask = useAsk();

  if (!allowed) {
    return (
      <Card aria-labelledby={headingId}>
        <h2 id={headingId} className="text-lg font-semibold">
          Ask a question
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Asking questions in plain words needs the analyst or admin role.
        </p>
      </Card>
    );
  }

  const askThis = (question: string) => {
    const trimmed = question.trim();
    if (!trimmed) return setFormError('Type a question first.');
    setFormError(undefined);
    setText(trimmed);
    ask.mutate(
      { datasetId, question: trimmed, ...(context.length > 0 ? { context } : {}) },
      {
        onSuccess: (answer) => {
          if (answer.understood) setContext((earlier) => extendContext(earlier, trimmed));
        },
      },
    );
  };

  const startOver = () => {
    setContext([]);
    setText('');
    setFormError(undefined);
    ask.reset();
    // The button goes away with the conversation; the box is where the next question starts.
    inputRef.current?.focus();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ask.isPending) askThis(text);
  };

  const asked = ask.variables?.question ?? '';
  const previous = context.at(-1);
  const describedBy = [hintId, previous && followUpId, formError && errorId].filter(Boolean).join(' ');
  return (
    <Card aria-labelledby={headingId} className="space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold">
          Ask a question
        </h2>
        <p id={hintId} className="text-sm text-slate-600 dark:text-slate-400">
          Ask in plain words; the answer is read-only SQL over this dataset, shown with its rows.
        </p>
      </div>
      <form onSubmit={submit} noValidate className="space-y-1">
        <label htmlFor={inputId} className="text-sm font-medium">
          Question
        </label>
        {previous && (
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
            <p
              id={followUpId}
              data-testid="follow-up"
              className="min-w-0 break-words text-slate-600 dark:text-slate-400"
            >
              Follow-up to: “{previous}”
            </p>
            <button
              type="button"
              onClick={startOver}
              disabled={ask.isPending}
              className="text-indigo-700 underline-offset-2 hover:underline disabled:cursor-not-allowed disabled:opacity-60 dark:text-indigo-300"
            >
              New conversation
            </button>
          </div>
        )}
        <div className="flex flex-col gap-2 sm:flex-row">
          <input
            id={inputId}
            ref={inputRef}
            type="text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={exampleQuestion(columns)}
            maxLength={questionMaxLength}
            autoComplete="off"
            // Read-only rather than disabled while asking, so the focus stays in the box.
            readOnly={ask.isPending}
            aria-describedby={describedBy}
            aria-invalid={formError ? true : undefined}
            className="w-full min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
          />
          <Button type="submit" disabled={ask.isPending}>
            {ask.isPending ? 'Asking…' : 'Ask'}
          </Button>
        </div>
        {formError && (
          <p id={errorId} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {formError}
          </p>
        )}
      </form>
      {ask.isError && <AskError error={ask.error} />}
      {/* A short sentence is announced; the table, chart and SQL are there to read at will. */}
      <p role="status" className="sr-only">
        {ask.isPending ? `Asking “${asked}”…` : ask.data ? answerStatus(ask.data, asked) : ''}
      </p>
      <div aria-busy={ask.isPending}>
        {ask.isPending ? (
          <Skeleton className="h-40 w-full" />
        ) : ask.data?.understood === true ? (
          <AnswerView answer={ask.data} question={asked} />
        ) : ask.data?.understood === false ? (
          <NotUnderstoodView answer={ask.data} question={asked} onAsk={askThis} disabled={ask.isPending} />
        ) : null}
      </div>
      <QuestionHistory datasetId={datasetId} onAsk={askThis} disabled={ask.isPending} />
    </Card>
  );
}

export default AskPanel;
