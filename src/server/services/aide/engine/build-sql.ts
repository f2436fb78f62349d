/**
 * QueryIntent -> one SELECT over the dataset's table, with the chart to draw and a sentence saying
 * how the question was read. Identifiers come only from the dataset's columns and every literal
 * goes through sql-text.ts, so the SQL needs no bind parameters.
 */
import type {
  ChartSuggestion,
  ColumnDescription,
  DatasetDescription,
  EngineMatches,
} from './engine.types.js';
import type { Period } from './periods.js';
import type { Filter, GroupTarget, GroupUnit, Measure, QueryIntent } from './query-intent.js';
import { dayLiteral, likeLiteral, numberLiteral, qualifiedTable, quoteIdent, quoteText } from './sql-text.js';
import { holdsYears, isYearColumn, wholeYear } from './year-column.js';

export interface BuiltQuery {
  sql: string;
  chart: ChartSuggestion;
  explanation: string;
  matched: EngineMatches;
}

interface SelectItem {
  expression: string;
  alias: string;
}

export function buildQuery(intent: QueryIntent, dataset: DatasetDescription): BuiltQuery {
  const table = qualifiedTable(dataset.table);
  const matched: EngineMatches = { columns: [], values: [] };
  const note = (c: ColumnDescription) => {
    if (!matched.columns.includes(c.name)) matched.columns.push(c.name);
  };
  const condition = (f: Filter) => filterSql(f, table, matched, note);

  const where = intent.filters.map(condition);
  const groupItems: SelectItem[] = intent.groups.map((g) => groupItem(g, condition, note));
  for (const g of intent.groups)
    if (g.kind === 'sides') where.push(`(${g.sides.map((s) => condition(s.filter)).join(' OR ')})`);
  const measureItems: SelectItem[] = intent.measures.map((m) => measureItem(m, note));

  let selectList: SelectItem[];
  let orderBy: string[] = [];
  let limit: number | undefined;
  let chart: ChartSuggestion;

  if (intent.list) {
    if (intent.list.kind === 'distinct') {
      for (const c of intent.list.columns) note(c);
      selectList = intent.list.columns.map((c) => ({ expression: quoteIdent(c.name), alias: c.name }));
      orderBy = selectList.map((_, k) => String(k + 1));
      const sqlText = `SELECT DISTINCT ${renderSelect(selectList)} FROM ${table}${renderWhere(where)} ORDER BY ${orderBy.join(', ')}`;
      return { sql: sqlText, chart: { type: 'table' }, explanation: explain(intent), matched };
    }
    const orderColumn = intent.list.orderBy;
    if (orderColumn) note(orderColumn);
    const order =
      orderColumn && intent.ranking
        ? ` ORDER BY ${quoteIdent(orderColumn.name)} ${intent.ranking.direction.toUpperCase()} NULLS LAST`
        : '';
    // A listing has no LIMIT of its own: the runner caps the rows and says when it cut some, which a
    // LIMIT here would hide (1000 rows of 1190 would look like all of them).
    const limitText = orderColumn && intent.ranking ? ` LIMIT ${intent.ranking.limit}` : '';
    return {
      sql: `SELECT * FROM ${table}${renderWhere(where)}${order}${limitText}`,
      chart: { type: 'table' },
      explanation: explain(intent),
      matched,
    };
  }

  if (intent.percent?.kind === 'of-filter') {
    const numerator = intent.percent.numerator.map(condition).join(' AND ');
    const base = measureItems[0]!;
    const filtered = base.expression.replace(/\)$/, `) FILTER (WHERE ${numerator})`);
    selectList = [
      ...groupItems,
      { expression: `100.0 * ${filtered} / NULLIF(${base.expression}, 0)`, alias: 'percent' },
    ];
    chart = { type: 'number', y: 'percent' };
  } else {
    selectList = [...groupItems, ...measureItems];
    if (intent.percent?.kind === 'of-total') {
      const base = measureItems[0]!;
      // Distinct counts do not add up over groups (one order can have lines in two categories):
      // their total is counted once over the same rows.
      const total =
        intent.measures[0]?.agg === 'count-distinct'
          ? `(SELECT ${base.expression} FROM ${table}${renderWhere(where)})`
          : `sum(${base.expression}) OVER ()`;
      selectList.push({
        expression: `100.0 * ${base.expression} / NULLIF(${total}, 0)`,
        alias: 'percent',
      });
    }
    chart = chartFor(intent, groupItems, selectList);
  }

  const groupBy = groupItems.map((_, k) => String(k + 1));
  const timeOrdered = intent.groups.length > 0 && intent.groups.every((g) => g.kind !== 'column');
  if (intent.ranking) {
    // Ties are broken by the group so the same question always returns the same rows.
    const rankIndex = groupItems.length + 1;
    orderBy = [`${rankIndex} ${intent.ranking.direction.toUpperCase()} NULLS LAST`, ...groupBy];
    limit = intent.ranking.limit;
  } else if (groupItems.length > 0) {
    const direction = intent.sort === 'asc' ? 'ASC' : 'DESC';
    orderBy = timeOrdered ? groupBy : [`${groupItems.length + 1} ${direction} NULLS LAST`, ...groupBy];
  }
  const sqlText =
    `SELECT ${renderSelect(selectList)} FROM ${table}${renderWhere(where)}` +
    (groupBy.length > 0 ? ` GROUP BY ${groupBy.join(', ')}` : '') +
    (orderBy.length > 0 ? ` ORDER BY ${orderBy.join(', ')}` : '') +
    (limit !== undefined ? ` LIMIT ${limit}` : '');
  return { sql: sqlText, chart, explanation: explain(intent), matched };
}

function renderSelect(items: SelectItem[]): string {
  return items.map((i) => `${i.expression} AS ${quoteIdent(i.alias)}`).join(', ');
}

function renderWhere(conditions: string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

function chartFor(intent: QueryIntent, groupItems: SelectItem[], selectList: SelectItem[]): ChartSuggestion {
  const y = selectList.at(-1)!.alias;
  if (groupItems.length === 0) return { type: 'number', y };
  if (groupItems.length > 1) return { type: 'table' };
  const x = groupItems[0]!.alias;
  if (intent.groups[0]!.kind === 'time') return { type: 'line', x, y };
  if (intent.percent) return { type: 'pie', x, y };
  return { type: 'bar', x, y };
}

/** A timestamptz read in UTC, a date as a timestamp: date_trunc then never depends on the session time zone. */
function asTimestamp(column: ColumnDescription): string {
  return column.type === 'timestamp'
    ? `(${quoteIdent(column.name)} AT TIME ZONE 'UTC')`
    : `CAST(${quoteIdent(column.name)} AS timestamp)`;
}

function groupItem(
  g: GroupTarget,
  condition: (f: Filter) => string,
  note: (c: ColumnDescription) => void,
): SelectItem {
  if (g.kind === 'column') {
    note(g.column);
    return { expression: quoteIdent(g.column.name), alias: g.column.name };
  }
  if (g.kind === 'sides') {
    const cases = g.sides.map((s) => `WHEN ${condition(s.filter)} THEN ${quoteText(s.label)}`).join(' ');
    const alias = g.sides[0]!.filter.kind === 'period' ? 'period' : g.sides[0]!.filter.column.name;
    return { expression: `CASE ${cases} END`, alias };
  }
  note(g.column);
  return timeBucket(g.column, g.unit);
}

function timeBucket(column: ColumnDescription, unit: GroupUnit): SelectItem {
  // A year column is its own bucket; year-column.ts refuses any other unit on it.
  if (isYearColumn(column)) return { expression: quoteIdent(column.name), alias: 'year' };
  const ts = asTimestamp(column);
  switch (unit) {
    case 'year':
      return { expression: `CAST(EXTRACT(YEAR FROM ${ts}) AS integer)`, alias: 'year' };
    case 'day':
      return { expression: `CAST(${ts} AS date)`, alias: 'day' };
    case 'weekday':
      return { expression: `CAST(EXTRACT(ISODOW FROM ${ts}) AS integer)`, alias: 'weekday' };
    default:
      return { expression: `CAST(date_trunc('${unit}', ${ts}) AS date)`, alias: unit };
  }
}

function measureItem(m: Measure, note: (c: ColumnDescription) => void): SelectItem {
  if (m.agg === 'count') return { expression: 'count(*)', alias: 'count' };
  note(m.column);
  const col = quoteIdent(m.column.name);
  switch (m.agg) {
    case 'count-distinct':
      if (m.unit) {
        const bucket = timeBucket(m.column, m.unit);
        return { expression: `count(DISTINCT ${bucket.expression})`, alias: `${bucket.alias}s` };
      }
      return { expression: `count(DISTINCT ${col})`, alias: `distinct_${m.column.name}` };
    case 'sum':
      return { expression: `sum(${col})`, alias: `total_${m.column.name}` };
    case 'avg':
      return { expression: `avg(${col})`, alias: `average_${m.column.name}` };
    case 'median':
      return {
        expression: `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col})`,
        alias: `median_${m.column.name}`,
      };
    default:
      return { expression: `${m.agg}(${col})`, alias: `${m.agg}_${m.column.name}` };
  }
}

function filterSql(
  f: Filter,
  table: string,
  matched: EngineMatches,
  note: (c: ColumnDescription) => void,
): string {
  note(f.column);
  const col = quoteIdent(f.column.name);
  switch (f.kind) {
    case 'compare':
      return `${col} ${f.op} ${numberLiteral(f.value)}`;
    case 'between':
      return `${col} BETWEEN ${numberLiteral(f.low)} AND ${numberLiteral(f.high)}`;
    case 'in':
      for (const value of f.values) matched.values.push({ column: f.column.name, value });
      if (f.values.length === 1) return `${col} ${f.negated ? '<>' : '='} ${quoteText(f.values[0]!)}`;
      return `${col} ${f.negated ? 'NOT IN' : 'IN'} (${f.values.map(quoteText).join(', ')})`;
    case 'text-equals':
      matched.values.push({ column: f.column.name, value: f.value });
      return `${col} ${f.negated ? 'NOT ILIKE' : 'ILIKE'} ${likeLiteral(f.value, 'exact')}`;
    case 'like':
      return `${col} ${f.negated ? 'NOT ILIKE' : 'ILIKE'} ${likeLiteral(f.fragment, f.where)}`;
    case 'null':
      return `${col} IS ${f.negated ? 'NOT NULL' : 'NULL'}`;
    case 'zero-or-null':
      return `(${col} = 0 OR ${col} IS NULL)`;
    case 'boolean':
      if (f.column.type !== 'boolean') return `${col} = ${f.value ? 1 : 0}`;
      return `${col} = ${f.value ? 'true' : 'false'}`;
    case 'period':
      return periodSql(f.column, f.period, f.relation);
    case 'trailing': {
      const type = f.column.type as 'date' | 'timestamp';
      const amount = numberLiteral(Math.trunc(f.amount));
      if (isYearColumn(f.column)) return `${col} > (SELECT max(${col}) FROM ${table}) - ${amount}`;
      const unit = f.unit === 'quarter' ? `${Number(amount) * 3} months` : `${amount} ${f.unit}s`;
      void type;
      return `${col} > (SELECT max(${col}) FROM ${table}) - INTERVAL '${unit}'`;
    }
  }
}

function periodSql(
  column: ColumnDescription,
  period: Period,
  relation: 'within' | 'before' | 'from',
): string {
  const col = quoteIdent(column.name);
  if (holdsYears(column) && period.kind === 'range') {
    // Whole years only (year-column.ts refuses others): [start, end) in years.
    const [start, end] = [wholeYear(period.start)!, wholeYear(period.end)!].map(numberLiteral);
    if (relation === 'before') return `${col} < ${start}`;
    if (relation === 'from') return `${col} >= ${start}`;
    return `${col} >= ${start} AND ${col} < ${end}`;
  }
  const type = column.type as 'date' | 'timestamp';
  if (period.kind === 'month-of-year')
    return `EXTRACT(MONTH FROM ${asTimestamp(column)}) = ${numberLiteral(period.month)}`;
  if (relation === 'before') return `${col} < ${dayLiteral(period.start, type)}`;
  if (relation === 'from') return `${col} >= ${dayLiteral(period.start, type)}`;
  return `${col} >= ${dayLiteral(period.start, type)} AND ${col} < ${dayLiteral(period.end, type)}`;
}

// ---- explanation ------------------------------------------------------------------------------

export function measureText(m: Measure): string {
  if (m.agg === 'count') return 'Number of rows';
  if (m.agg === 'count-distinct')
    return m.unit
      ? `Number of distinct ${m.unit}s of ${m.column.originalName}`
      : `Number of distinct ${m.column.originalName}`;
  const name = { sum: 'Sum', avg: 'Average', min: 'Minimum', max: 'Maximum', median: 'Median' }[m.agg];
  return `${name} of ${m.column.originalName}`;
}

export function groupText(g: GroupTarget): string {
  if (g.kind === 'column') return g.column.originalName;
  if (g.kind === 'sides') return g.sides.map((s) => s.label).join(' vs ');
  return `${g.unit} of ${g.column.originalName}`;
}

export function filterText(f: Filter): string {
  const name = f.column.originalName;
  switch (f.kind) {
    case 'compare':
      return `${name} ${f.op} ${f.value}`;
    case 'between':
      return `${name} between ${f.low} and ${f.high}`;
    case 'in':
      return `${name} ${f.negated ? 'is not' : 'is'} ${f.values.join(' or ')}`;
    case 'text-equals':
      return `${name} ${f.negated ? 'is not' : 'is'} "${f.value}" (any case)`;
    case 'like':
      return `${name} ${f.negated ? 'does not ' : ''}${{ contains: 'contain', starts: 'start with', ends: 'end with' }[f.where]}${f.negated ? '' : 's'} "${f.fragment}"`;
    case 'null':
      return `${name} is ${f.negated ? 'present' : 'missing'}`;
    case 'zero-or-null':
      return `${name} is 0 or missing (no ${name} counts both)`;
    case 'boolean':
      return `${name} is ${f.value}`;
    case 'period':
      return `${name} ${f.relation === 'within' ? 'in' : f.relation === 'before' ? 'before' : 'from'} ${f.relation === 'within' ? f.period.label : f.period.kind === 'range' ? f.period.start : f.period.label}`;
    case 'trailing':
      return `${name} in the last ${f.amount} ${f.unit}${f.amount === 1 ? '' : 's'} of the data`;
  }
}

function rankWord(column: ColumnDescription, direction: 'desc' | 'asc'): string {
  if (column.type === 'date' || column.type === 'timestamp')
    return direction === 'desc' ? 'latest' : 'earliest';
  return direction === 'desc' ? 'highest' : 'lowest';
}

export function explain(intent: QueryIntent): string {
  const where = intent.filters.length > 0 ? `, where ${intent.filters.map(filterText).join(' and ')}` : '';
  if (intent.list?.kind === 'distinct')
    return `Distinct values of ${intent.list.columns.map((c) => c.originalName).join(', ')}${where}`;
  if (intent.list?.kind === 'rows') {
    const order =
      intent.list.orderBy && intent.ranking
        ? `, the ${intent.ranking.limit} ${rankWord(intent.list.orderBy, intent.ranking.direction)} by ${intent.list.orderBy.originalName}`
        : '';
    return `Rows of the dataset${order}${where}`;
  }
  const measures = intent.measures.map(measureText).join(' and ');
  const groups = intent.groups.length > 0 ? ` by ${intent.groups.map(groupText).join(' and ')}` : '';
  let order = '';
  if (intent.ranking)
    order = `, ${intent.ranking.direction === 'desc' ? 'top' : 'bottom'} ${intent.ranking.limit}`;
  else if (intent.groups.length > 0)
    order = intent.groups.every((g) => g.kind === 'time')
      ? ', in time order'
      : intent.groups.every((g) => g.kind === 'sides')
        ? ''
        : intent.sort === 'asc'
          ? ', lowest first'
          : ', highest first';
  if (intent.percent?.kind === 'of-total')
    return `${measures}${groups} as a percentage of the total${order}${where}`;
  if (intent.percent?.kind === 'of-filter')
    return `Percentage of ${measures.toLowerCase()}${groups} where ${intent.percent.numerator.map(filterText).join(' and ')}${intent.filters.length > 0 ? `, among rows where ${intent.filters.map(filterText).join(' and ')}` : ''}`;
  return `${measures}${groups}${order}${where}`;
}
