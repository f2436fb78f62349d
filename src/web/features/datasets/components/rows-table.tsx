import { observeElementOffset, useVirtualizer, type VirtualItem } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ColumnType, DatasetColumn } from '../../../../contracts/axi/columns.js';
import type { Dataset } from '../../../../contracts/axi/datasets.js';
import { Button } from '../../../shared/ui/button.js';
import { EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { useRows } from '../hooks.js';
import {
  HEADER_HEIGHT_PX,
  nextSort,
  PAGE_SIZE,
  pageOffsetsFor,
  ROW_HEIGHT_PX,
  rowTopPx,
  scrollScale,
  sortStateOf,
} from './rows-window.js';

const widthRem: Record<ColumnType, number> = {
  integer: 8,
  bigint: 10,
  double: 9,
  boolean: 6,
  date: 8,
  timestamp: 14,
  text: 12,
};
const numberColumnRem = 5;
const numeric = new Set<ColumnType>(['integer', 'bigint', 'double']);

/** How long a page of rows must stay in view before it is fetched, so flinging past pages costs nothing. */
const FETCH_DELAY_MS = 120;

type Cell = string | number | boolean | null;

/**
 * The dataset's rows: a virtualised window over all of them (any count), fetched from the server
 * a page at a time for what is on screen, sortable by clicking a column header.
 */
export function RowsTable({ dataset }: { dataset: Dataset }) {
  const scrollRef = useRef<HTMLElement>(null);
  const [sort, setSort] = useState<string | undefined>();
  const captionId = useId();
  const rowCount = dataset.rowCount;
  const columns = dataset.columns;
  const template = `${numberColumnRem}rem ${columns.map((c) => `${widthRem[c.type]}rem`).join(' ')}`;
  const contentRem = numberColumnRem + columns.reduce((n, c) => n + widthRem[c.type], 0);

  // Scroll compression for tables taller than a browser allows an element to be (see rows-window).
  const scaleRef = useRef(1);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT_PX,
    initialRect: { width: 960, height: 448 },
    observeElementOffset: (instance, cb) =>
      observeElementOffset(instance, (offset, isScrolling) => cb(offset * scaleRef.current, isScrolling)),
  });
  const viewportPx = virtualizer.scrollRect?.height ?? 448;
  const { bodyPx, scale } = scrollScale(rowCount, viewportPx);
  scaleRef.current = scale;
  const virtualOffset = virtualizer.scrollOffset ?? 0;
  const elementOffset = virtualOffset / scale;
  const items = virtualizer.getVirtualItems();

  const blocks = useMemo(() => {
    const byPage = new Map<number, VirtualItem[]>();
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return byPage;
    for (const offset of pageOffsetsFor(first.index, last.index)) byPage.set(offset, []);
    for (const item of items) byPage.get(Math.floor(item.index / PAGE_SIZE) * PAGE_SIZE)?.push(item);
    return byPage;
  }, [items]);

  const changeSort = (column: string) => {
    setSort((s) => nextSort(s, column));
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  };

  if (rowCount === 0) {
    return (
      <EmptyState title="This dataset has no rows">
        The file had a header but no data rows. Upload a file with rows to explore them here.
      </EmptyState>
    );
  }

  const sortedBy = columns.find((c) => sort === c.name || sort === `-${c.name}`);
  return (
    <div className="space-y-2">
      <p id={captionId} className="text-sm text-slate-600 dark:text-slate-400">
        {rowCount.toLocaleString('en-US')} rows × {columns.length} columns
        {sortedBy
          ? `, sorted by ${sortedBy.originalName} ${sort?.startsWith('-') ? 'descending' : 'ascending'}`
          : ', in file order'}
        . Click a column header to sort.
      </p>
      <section
        ref={scrollRef}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        aria-label={`Rows of ${dataset.name}`}
        aria-describedby={captionId}
        className="relative h-[28rem] overflow-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
      >
        {/* Table elements laid out as grid rows (absolute, virtualised); the semantics stay a table. */}
        <table
          aria-label={`Rows of ${dataset.name}`}
          aria-rowcount={rowCount + 1}
          aria-colcount={columns.length + 1}
          className="block"
          style={{ width: `${contentRem}rem`, minWidth: '100%' }}
        >
          <thead className="sticky top-0 z-10 block">
            <tr
              aria-rowindex={1}
              className="grid border-b border-slate-200 bg-slate-100 text-sm dark:border-slate-700 dark:bg-slate-800"
              style={{ gridTemplateColumns: template, height: HEADER_HEIGHT_PX }}
            >
              <th
                scope="col"
                className="flex items-center px-3 font-medium text-slate-600 dark:text-slate-400"
              >
                #
              </th>
              {columns.map((c) => {
                const state = sortStateOf(sort, c.name);
                return (
                  <th scope="col" key={c.name} aria-sort={state} className="min-w-0 p-0">
                    <button
                      type="button"
                      onClick={() => changeSort(c.name)}
                      className={`flex h-full w-full items-center gap-1 px-3 font-medium hover:bg-slate-200 dark:hover:bg-slate-700 ${
                        numeric.has(c.type) ? 'justify-end' : ''
                      }`}
                      title={`${c.originalName} (${c.type}): sort`}
                    >
                      <span className="truncate">{c.originalName}</span>
                      <span aria-hidden="true" className="text-xs text-slate-600 dark:text-slate-400">
                        {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '↕'}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="relative block" style={{ height: bodyPx }}>
            {[...blocks].map(([pageOffset, pageItems]) => (
              <RowsBlock
                key={pageOffset}
                datasetId={dataset.id}
                pageOffset={pageOffset}
                sort={sort}
                items={pageItems}
                columns={columns}
                template={template}
                topOf={(item) => rowTopPx(item.start, virtualOffset, elementOffset)}
              />
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/** True once `delayMs` has passed since mount. */
function useSettled(delayMs: number) {
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(true), delayMs);
    return () => clearTimeout(timer);
  }, [delayMs]);
  return settled;
}

/** The on-screen rows of one server page: fetched once the page stays in view, placeholders until then. */
function RowsBlock({
  datasetId,
  pageOffset,
  sort,
  items,
  columns,
  template,
  topOf,
}: {
  datasetId: string;
  pageOffset: number;
  sort: string | undefined;
  items: VirtualItem[];
  columns: DatasetColumn[];
  template: string;
  topOf: (item: VirtualItem) => number;
}) {
  const settled = useSettled(FETCH_DELAY_MS);
  const query = useRows(datasetId, { limit: PAGE_SIZE, offset: pageOffset, sort }, settled);
  const rows = query.data && query.data.offset === pageOffset ? query.data.rows : undefined;
  const stale = query.isPlaceholderData;

  return items.map((item, i) => {
    const row = rows?.[item.index - pageOffset];
    const top = topOf(item);
    const rowClass = `absolute left-0 grid w-full border-b border-slate-100 text-sm dark:border-slate-800 ${
      item.index % 2 === 1 ? 'bg-slate-50/60 dark:bg-slate-800/30' : ''
    } ${stale ? 'opacity-50' : ''}`;
    const style = { gridTemplateColumns: template, height: ROW_HEIGHT_PX, top };
    if (query.isError && !rows && i === 0) {
      return (
        <tr key={item.key} aria-rowindex={item.index + 2} className={rowClass} style={style}>
          <td className="col-span-full flex items-center gap-3 px-3 text-red-700 dark:text-red-400">
            Rows {pageOffset + 1}–{pageOffset + PAGE_SIZE} could not be loaded.
            <Button variant="secondary" className="py-0.5" onClick={() => query.refetch()}>
              Retry
            </Button>
          </td>
        </tr>
      );
    }
    return (
      <tr key={item.key} aria-rowindex={item.index + 2} className={rowClass} style={style}>
        <td className="flex items-center px-3 text-xs text-slate-600 tabular-nums dark:text-slate-400">
          {(item.index + 1).toLocaleString('en-US')}
        </td>
        {columns.map((column, c) => (
          <td
            key={column.name}
            className={`flex min-w-0 items-center px-3 ${numeric.has(column.type) ? 'justify-end tabular-nums' : ''}`}
          >
            {row ? <CellValue value={row[c] ?? null} /> : <Skeleton className="h-3 w-3/4" />}
          </td>
        ))}
      </tr>
    );
  });
}

function CellValue({ value }: { value: Cell }) {
  if (value === null) return <span className="text-slate-600 italic dark:text-slate-400">null</span>;
  // Raw values, as stored: a data table should not reformat ids or years with thousands separators.
  const text = String(value);
  return (
    <span className="truncate" title={text.length > 20 ? text : undefined}>
      {text}
    </span>
  );
}
