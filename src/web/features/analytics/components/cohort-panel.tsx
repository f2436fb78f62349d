import { type FormEvent, lazy, Suspense, useId, useMemo, useState } from 'react';
import type { CohortPeriod, CohortResult } from '../../../../contracts/axi/analytics.js';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import { ApiError } from '../../../shared/api/http.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { SelectField } from '../../../shared/ui/text-field.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { useLatestReport, useRunCohorts } from '../hooks.js';
import { AnalysisOutcome, canRunAnalyses, RoleNotice } from './analysis-error.js';
import { formatNumber, sequentialColor, useIsDark } from './chart-theme.js';
import type { HeatmapCell } from './heatmap-chart.js';
import { type ResultView, ViewToggle } from './view-toggle.js';

const HeatmapChart = lazy(() => import('./heatmap-chart.js'));

const temporalTypes = new Set(['date', 'timestamp']);
const numericTypes = new Set(['integer', 'bigint', 'double']);
/** Headers that usually name who did something; the first match is the default entity. */
const entityHint = /(customer|user|client|account|member|visitor|entity|buyer|person|id)$/i;

export interface CohortFormValues {
  entityColumn: string;
  timeColumn: string;
  period: CohortPeriod;
  valueColumn: string;
}

/** What is wrong with the form before asking the server, field by field. */
export function validateCohortForm(
  values: CohortFormValues,
): Partial<Record<keyof CohortFormValues, string>> {
  const errors: Partial<Record<keyof CohortFormValues, string>> = {};
  if (!values.entityColumn)
    errors.entityColumn = 'Choose who the rows are about (a customer or user column).';
  if (!values.timeColumn) errors.timeColumn = 'Choose when each row happened (a date or timestamp column).';
  if (values.entityColumn && values.entityColumn === values.timeColumn)
    errors.entityColumn = 'The entity and the time must be different columns.';
  if (
    values.valueColumn &&
    (values.valueColumn === values.entityColumn || values.valueColumn === values.timeColumn)
  )
    errors.valueColumn = 'The value must be a different column from the entity and the time.';
  return errors;
}

function defaults(columns: DatasetColumn[]): CohortFormValues {
  const time = columns.find((c) => temporalTypes.has(c.type));
  const candidates = columns.filter(
    (c) => !temporalTypes.has(c.type) && c.type !== 'double' && c.type !== 'boolean',
  );
  const entity =
    candidates.find((c) => entityHint.test(c.originalName) && c.type === 'text') ??
    candidates.find((c) => entityHint.test(c.originalName)) ??
    candidates.find((c) => c.type === 'text');
  return { entityColumn: entity?.name ?? '', timeColumn: time?.name ?? '', period: 'month', valueColumn: '' };
}

/** Pick who, when and the period; run; read retention per cohort and period offset. */
export function CohortPanel({ datasetId, columns }: { datasetId: string; columns: DatasetColumn[] }) {
  const [values, setValues] = useState<CohortFormValues>(() => defaults(columns));
  const [errors, setErrors] = useState<Partial<Record<keyof CohortFormValues, string>>>({});
  const [view, setView] = useState<ResultView>('chart');
  const run = useRunCohorts();
  const latest = useLatestReport(datasetId, 'cohort');
  const toast = useToast();
  const { user } = useSession();
  const allowed = canRunAnalyses(user?.roles);
  const headingId = useId();

  const temporal = columns.filter((c) => temporalTypes.has(c.type));
  const numeric = columns.filter((c) => numericTypes.has(c.type));
  const result = run.data?.result ?? latest.data?.result;
  const resultAt = run.data?.createdAt ?? latest.data?.createdAt;
  // The server names the bad field (400); show it under that field rather than only on top.
  const serverError = run.error instanceof ApiError ? run.error : undefined;
  const fieldError = (field: keyof CohortFormValues) => errors[field] ?? serverError?.fieldError(field);

  const set = (field: keyof CohortFormValues) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = validateCohortForm(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    run.mutate(
      {
        datasetId,
        entityColumn: values.entityColumn,
        timeColumn: values.timeColumn,
        period: values.period,
        ...(values.valueColumn ? { valueColumn: values.valueColumn } : {}),
      },
      {
        onSuccess: (report) =>
          toast('success', `Cohort retention ready: ${report.result.cohorts.length} cohorts.`),
      },
    );
  };

  return (
    <Card aria-labelledby={headingId} className="space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold">
          Cohort retention
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Groups entities by the period they first appear in, then shows the share still active in each later
          period.
        </p>
      </div>
      {temporal.length === 0 ? (
        <EmptyState title="Cohorts need a date or timestamp column">
          None of this dataset's columns is a date or a timestamp. If one holds dates the upload did not
          recognise, upload again with a date override for it.
        </EmptyState>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-3">
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <SelectField
              label="Entity"
              value={values.entityColumn}
              onChange={set('entityColumn')}
              error={fieldError('entityColumn')}
              hint="Who: a customer or user id"
            >
              <option value="">Choose a column…</option>
              {columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.originalName}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Time"
              value={values.timeColumn}
              onChange={set('timeColumn')}
              error={fieldError('timeColumn')}
              hint="When: date or timestamp"
            >
              <option value="">Choose a column…</option>
              {temporal.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.originalName}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Period"
              value={values.period}
              onChange={set('period')}
              error={fieldError('period')}
            >
              <option value="day">Day</option>
              <option value="week">Week</option>
              <option value="month">Month</option>
            </SelectField>
            <SelectField
              label="Value (optional)"
              value={values.valueColumn}
              onChange={set('valueColumn')}
              error={fieldError('valueColumn')}
              hint="Summed per cell, e.g. revenue"
            >
              <option value="">None</option>
              {numeric.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.originalName}
                </option>
              ))}
            </SelectField>
          </div>
          <Button type="submit" disabled={run.isPending || !allowed}>
            {run.isPending ? 'Running…' : 'Run cohorts'}
          </Button>
          <RoleNotice allowed={allowed} />
        </form>
      )}
      <AnalysisOutcome
        error={run.error}
        pending={run.isPending}
        result={
          result ? (
            <CohortResultView
              result={result}
              createdAt={resultAt}
              view={view}
              onViewChange={setView}
              columns={columns}
            />
          ) : null
        }
        empty={
          latest.isLoading || temporal.length === 0 ? null : (
            <EmptyState title="No cohort analysis yet">
              Choose the entity and time columns above, then run the cohorts.
            </EmptyState>
          )
        }
      />
    </Card>
  );
}

const periodWord: Record<CohortPeriod, string> = { day: 'Day', week: 'Week', month: 'Month' };

function percent(rate: number) {
  return `${Math.round(rate * 100)}%`;
}

/** Retention as heatmap cells: cohorts down, offsets across, colour and label by rate. */
export function cohortCells(result: CohortResult, dark: boolean, valueLabel?: string): HeatmapCell[] {
  const word = periodWord[result.period].toLowerCase();
  return result.cohorts.flatMap((cohort, y) =>
    cohort.cells.map((cell) => {
      const color = sequentialColor(cell.rate, dark);
      const tooltip = [
        `Cohort ${cohort.cohort} (${cohort.size.toLocaleString('en-US')} entities)`,
        `${word} ${cell.offset}: ${cell.active.toLocaleString('en-US')} active, ${(cell.rate * 100).toFixed(1)}%`,
      ];
      if (cell.value !== undefined) tooltip.push(`${valueLabel ?? 'value'}: ${formatNumber(cell.value)}`);
      return { x: cell.offset, y, color, label: percent(cell.rate), tooltip };
    }),
  );
}

function CohortResultView({
  result,
  createdAt,
  view,
  onViewChange,
  columns,
}: {
  result: CohortResult;
  createdAt: string | undefined;
  view: ResultView;
  onViewChange: (v: ResultView) => void;
  columns: DatasetColumn[];
}) {
  const dark = useIsDark();
  const nameOf = (stored: string | null) =>
    columns.find((c) => c.name === stored)?.originalName ?? stored ?? '';
  const valueLabel = result.valueColumn ? nameOf(result.valueColumn) : undefined;
  const cells = useMemo(() => cohortCells(result, dark, valueLabel), [result, dark, valueLabel]);
  const offsets = result.cohorts.reduce((n, c) => Math.max(n, c.cells.length), 0);
  const xLabels = Array.from({ length: offsets }, (_, i) => String(i));
  const yLabels = result.cohorts.map((c) => `${c.cohort} (${c.size.toLocaleString('en-US')})`);

  if (result.cohorts.length === 0) {
    return (
      <EmptyState title="No cohorts">
        No row has both a {nameOf(result.entityColumn)} and a {nameOf(result.timeColumn)}.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {result.cohorts.length} cohorts by {result.period} · {formatNumber(result.entities)} distinct{' '}
          {nameOf(result.entityColumn)} · {formatNumber(result.events)} events
          {createdAt && <> · run {new Date(createdAt).toLocaleString()}</>}
        </p>
        <ViewToggle view={view} onChange={onViewChange} label="Show the cohorts as" />
      </div>
      {view === 'chart' ? (
        <div className="max-h-[36rem] overflow-auto">
          <div style={{ minWidth: Math.max(320, offsets * 40 + 150) }}>
            <Suspense fallback={<Skeleton className="h-72 w-full" />}>
              <HeatmapChart
                xLabels={xLabels}
                yLabels={yLabels}
                cells={cells}
                heightPx={Math.max(220, result.cohorts.length * 28 + 90)}
                xTitle={`${periodWord[result.period]}s since first seen`}
                yTitle="Cohort (size)"
                ariaLabel={`Retention heatmap of ${result.cohorts.length} ${result.period}ly cohorts; the table view lists every rate`}
              />
            </Suspense>
          </div>
        </div>
      ) : (
        <CohortTable result={result} valueLabel={valueLabel} />
      )}
    </div>
  );
}

export function CohortTable({
  result,
  valueLabel,
}: {
  result: CohortResult;
  valueLabel?: string | undefined;
}) {
  const offsets = result.cohorts.reduce((n, c) => Math.max(n, c.cells.length), 0);
  const word = periodWord[result.period];
  return (
    <div className="max-h-96 overflow-auto rounded-md border border-slate-200 dark:border-slate-700">
      <table className="text-left text-sm">
        <caption className="sr-only">
          Share of each cohort active in each {result.period} after its first
          {valueLabel ? `, with the sum of ${valueLabel}` : ''}
        </caption>
        <thead className="sticky top-0 bg-slate-100 dark:bg-slate-800">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
              Cohort
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Size
            </th>
            {Array.from({ length: offsets }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the offset is the column's identity
              <th key={i} scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
                {word} {i}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.cohorts.map((c) => (
            <tr key={c.cohort} className="border-t border-slate-200 dark:border-slate-700">
              <th scope="row" className="px-3 py-1.5 font-normal whitespace-nowrap">
                {c.cohort}
              </th>
              <td className="px-3 py-1.5 tabular-nums">{c.size.toLocaleString('en-US')}</td>
              {c.cells.map((cell) => (
                <td key={cell.offset} className="px-3 py-1.5 whitespace-nowrap tabular-nums">
                  {percent(cell.rate)}
                  <span className="text-slate-600 dark:text-slate-400">
                    {' '}
                    ({cell.active.toLocaleString('en-US')})
                  </span>
                  {cell.value !== undefined && (
                    <span className="block text-xs text-slate-600 dark:text-slate-400">
                      <span className="sr-only">{valueLabel} </span>
                      {formatNumber(cell.value)}
                    </span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
