/**
 * Combines a follow-up's parts (a Fragment) with the intent of the previous question: what the
 * follow-up names replaces the matching part of the previous question, everything else is kept.
 * Each change is recorded in words for the explanation. A combination that could mean two things
 * is refused: a wrong answer is worse than none.
 */
import { filterText, groupText, measureText } from './build-sql.js';
import {
  defaultAggregate,
  describeAggregate,
  type Fragment,
  hasShares,
  isNumeric,
  isTemporal,
  type UnboundComparison,
} from './parse-question.js';
import type { Filter, GroupTarget, Measure, QueryIntent } from './query-intent.js';
import type { Aggregate } from './vocabulary.js';

export type MergeResult =
  | { ok: true; intent: QueryIntent; changes: string[] }
  | { ok: false; reason: string };

class CannotMerge extends Error {}

const MAX_RANKING = 1000;
const DEFAULT_RANKING = 10;

export function mergeFollowUp(base: QueryIntent, fragment: Fragment): MergeResult {
  try {
    return { ok: true, ...new FollowUpMerge(base, fragment).merge() };
  } catch (error) {
    if (error instanceof CannotMerge) return { ok: false, reason: error.message };
    throw error;
  }
}

/** True when the fragment says anything that could change the previous question. */
export function contributes(f: Fragment): boolean {
  return (
    f.measures.length > 0 ||
    f.bareAggregates.length > 0 ||
    f.groups.length > 0 ||
    f.interrogatives.length > 0 ||
    f.filters.length > 0 ||
    f.unboundComparisons.length > 0 ||
    f.ranking !== undefined ||
    f.superlative !== undefined ||
    f.countAsked ||
    f.percentAsked ||
    f.recentRows
  );
}

/**
 * Rule 3 of follow-up.ts: the fragment names nothing to compute or list of its own. Either only
 * filters and groupings ("North", "by month"), which alone would list or count all rows, or only a
 * count with no rows named ("how many?"), which alone would count the whole table.
 */
export function leansOnContext(f: Fragment): boolean {
  return onlyModifies(f) || onlyCounts(f);
}

function onlyCounts(f: Fragment): boolean {
  return (
    f.countAsked &&
    f.measures.length > 0 &&
    f.measures.every((m) => m.agg === 'count') &&
    f.filters.length === 0 &&
    f.groups.length === 0 &&
    f.bareAggregates.length === 0 &&
    f.interrogatives.length === 0 &&
    f.unboundComparisons.length === 0 &&
    f.ranking === undefined &&
    f.superlative === undefined &&
    !f.percentAsked &&
    !f.recentRows &&
    !f.namesRows
  );
}

function onlyModifies(f: Fragment): boolean {
  return (
    (f.filters.length > 0 || f.groups.length > 0) &&
    f.measures.length === 0 &&
    f.bareAggregates.length === 0 &&
    f.interrogatives.length === 0 &&
    f.unboundComparisons.length === 0 &&
    f.ranking === undefined &&
    f.superlative === undefined &&
    !f.countAsked &&
    !f.percentAsked &&
    !f.recentRows &&
    !f.namesRows
  );
}

const isAggregateOfColumn = (m: Measure): m is Extract<Measure, { agg: Aggregate }> =>
  m.agg !== 'count' && m.agg !== 'count-distinct';

const measuresText = (ms: Measure[]) => ms.map(measureText).join(' and ');
const groupsText = (gs: GroupTarget[]) =>
  gs.length > 0 ? `by ${gs.map(groupText).join(' and ')}` : 'no grouping';
const rankText = (r: NonNullable<QueryIntent['ranking']>) =>
  `${r.direction === 'desc' ? 'top' : 'bottom'} ${r.limit}`;

class FollowUpMerge {
  private measures: Measure[];
  private groups: GroupTarget[];
  private filters: Filter[];
  private percent: QueryIntent['percent'];
  private ranking: QueryIntent['ranking'];
  private list: QueryIntent['list'];
  private readonly changes: string[] = [];
  // The fragment's own parts, some re-read against the previous question below.
  private readonly newMeasures: Measure[];
  private readonly newGroups: GroupTarget[];

  constructor(
    private readonly base: QueryIntent,
    private readonly f: Fragment,
  ) {
    this.measures = [...base.measures];
    this.groups = [...base.groups];
    this.filters = [...base.filters];
    this.percent = base.percent;
    this.ranking = base.ranking;
    this.list = base.list;
    this.newMeasures = [...f.measures];
    this.newGroups = [...f.groups];
  }

  merge(): { intent: QueryIntent; changes: string[] } {
    if (!contributes(this.f))
      throw new CannotMerge('There is nothing in it to change in the previous question.');
    if (this.f.recentRows)
      throw new CannotMerge('"Latest N" lists rows on its own; ask it as a whole question.');
    this.readRankedByColumn();
    this.readInterrogatives();
    this.mergeMeasures();
    this.mergeGroups();
    this.mergeFilters();
    this.mergeRanking();
    this.mergePercent();
    return { intent: this.checked(), changes: this.changes };
  }

  /** "top 5 customers by revenue" -> "and by quantity?": under a ranking, a numeric column is what to rank by. */
  private readRankedByColumn() {
    const ranked = this.base.ranking !== undefined || this.f.ranking !== undefined;
    if (!ranked || this.newMeasures.length > 0) return;
    for (const g of [...this.newGroups]) {
      if (g.kind !== 'column' || !isNumeric(g.column)) continue;
      this.newGroups.splice(this.newGroups.indexOf(g), 1);
      this.newMeasures.push({ agg: defaultAggregate(g.column), column: g.column, implicit: true });
    }
  }

  /** "which customer": a group when the follow-up also asks for a number or ranking, else unclear. */
  private readInterrogatives() {
    const asks =
      this.newMeasures.length > 0 ||
      this.f.bareAggregates.length > 0 ||
      this.f.ranking !== undefined ||
      this.f.superlative !== undefined;
    for (const column of this.f.interrogatives) {
      if (!asks)
        throw new CannotMerge(
          `What about ${column.originalName}? Say "by ${column.originalName}" to group by it, or name one of its values.`,
        );
      if (!this.newGroups.some((g) => g.kind === 'column' && g.column === column))
        this.newGroups.push({ kind: 'column', column });
    }
  }

  private mergeMeasures() {
    if (this.newMeasures.length > 0) {
      this.refuseOnRankedRows('a new measure');
      if (this.list?.kind === 'distinct')
        throw new CannotMerge(
          'The previous question listed distinct values; ask the new measure as a whole question.',
        );
      const adopted = this.newMeasures.map((m) => this.withPreviousAggregate(m));
      this.changes.push(
        `${measuresText(adopted)} instead of ${this.list ? 'listing the rows' : measuresText(this.measures)}`,
      );
      this.measures = adopted;
      this.list = undefined;
      return;
    }
    if (this.f.bareAggregates.length === 0) return;
    this.refuseOnRankedRows('a new aggregate');
    const columns = [...new Set(this.measures.filter(isAggregateOfColumn).map((m) => m.column))];
    if (columns.length === 0) {
      const agg = describeAggregate(this.f.bareAggregates[0]!);
      throw new CannotMerge(
        `${agg.charAt(0).toUpperCase()}${agg.slice(1)} of what? The previous question has no numeric column to take it of; name one.`,
      );
    }
    const measures: Measure[] = [];
    for (const agg of this.f.bareAggregates)
      for (const column of columns) {
        const fits =
          agg === 'min' || agg === 'max' ? isNumeric(column) || isTemporal(column) : isNumeric(column);
        if (!fits)
          throw new CannotMerge(
            `"${column.originalName}" is not numeric, so I cannot take its ${describeAggregate(agg)}.`,
          );
        measures.push({ agg, column });
      }
    this.changes.push(`${measuresText(measures)} instead of ${measuresText(this.measures)}`);
    this.measures = measures;
  }

  /**
   * "average age by department" -> "and salary?": a column named alone keeps the aggregate the
   * previous question asked for explicitly, rather than the column's default.
   */
  private withPreviousAggregate(m: Measure): Measure {
    if (!(isAggregateOfColumn(m) && m.implicit)) return m;
    const explicit = this.measures.filter((p) => isAggregateOfColumn(p) && !p.implicit);
    const aggs = new Set(explicit.map((p) => p.agg));
    if (aggs.size !== 1) return m;
    return { agg: [...aggs][0] as Aggregate, column: m.column };
  }

  /** "top 5 orders by revenue" lists rows: a new measure or grouping of them could mean two things. */
  private refuseOnRankedRows(what: string) {
    if (this.list?.kind === 'rows' && this.list.orderBy)
      throw new CannotMerge(
        `The previous question ranked single rows; ${what} could apply to those rows or to all of them. Ask it as a whole question.`,
      );
  }

  private mergeGroups() {
    const columnGroups = this.newGroups.filter((g) => g.kind !== 'sides');
    const sides = this.newGroups.filter((g) => g.kind === 'sides');
    if (columnGroups.length === 0 && sides.length === 0) return;
    this.refuseOnRankedRows('a grouping');
    if (this.list?.kind === 'distinct')
      throw new CannotMerge(
        'The previous question listed distinct values; ask for a count or a total by group.',
      );
    if (this.list?.kind === 'rows') {
      this.list = undefined;
      if (this.measures.length === 0) this.measures = [{ agg: 'count' }];
    }
    if (this.ranking && !this.f.ranking && columnGroups.some((g) => g.kind === 'time'))
      throw new CannotMerge(
        `The previous question was a ranking (${rankText(this.ranking)}); by time it could mean the ranked groups over time or a ranking of time periods. Ask it as a whole question.`,
      );
    const before = this.groups.filter((g) => g.kind !== 'sides');
    const keptColumns = columnGroups.length > 0 ? columnGroups : before;
    const keptSides = sides.length > 0 ? sides : this.groups.filter((g) => g.kind === 'sides');
    if (columnGroups.length > 0)
      this.changes.push(
        before.length > 0
          ? `${groupsText(columnGroups)} instead of ${groupsText(before)}`
          : groupsText(columnGroups),
      );
    if (sides.length > 0) this.compareSides(sides);
    this.groups = [...keptColumns, ...keptSides];
  }

  /** "in 2024" -> "and 2023 vs 2024?": the sides replace the previous condition on their column. */
  private compareSides(sides: GroupTarget[]) {
    const columns = new Set(
      sides.flatMap((g) => (g.kind === 'sides' ? g.sides.map((s) => s.filter.column.name) : [])),
    );
    const replaced = this.filters.filter((f) => columns.has(f.column.name));
    this.filters = this.filters.filter((f) => !replaced.includes(f));
    const comparing = `comparing ${sides.map(groupText).join(' and ')}`;
    this.changes.push(
      replaced.length > 0 ? `${comparing} instead of ${replaced.map(filterText).join(' and ')}` : comparing,
    );
  }

  private mergeFilters() {
    const added = [...this.f.filters, ...this.f.unboundComparisons.map((c) => this.bindComparison(c))];
    for (const filter of added) {
      const numerator = this.percent?.kind === 'of-filter' ? this.percent.numerator : undefined;
      const inNumerator = numerator?.filter((g) => sameColumn(g, filter)) ?? [];
      if (numerator && inNumerator.length > 0) {
        // "percentage of orders cancelled" -> "what about Returned?": the share's condition changes.
        this.percent = {
          kind: 'of-filter',
          numerator: [...numerator.filter((g) => !inNumerator.includes(g)), filter],
        };
        this.changes.push(`${filterText(filter)} instead of ${inNumerator.map(filterText).join(' and ')}`);
        continue;
      }
      // A condition on a column the previous question already filtered replaces that condition.
      const replaced = this.filters.filter((g) => sameColumn(g, filter));
      this.filters = [...this.filters.filter((g) => !replaced.includes(g)), filter];
      this.changes.push(
        replaced.length > 0
          ? `${filterText(filter)} instead of ${replaced.map(filterText).join(' and ')}`
          : `only where ${filterText(filter)}`,
      );
    }
  }

  /**
   * "for orders over 100": the number compares each row's amount, the one summed column of the
   * previous question. A level (price, age, salary) is refused: "employees over 50" is an age.
   */
  private bindComparison(c: UnboundComparison): Filter {
    const columns = [...new Set(this.measures.filter(isAggregateOfColumn).map((m) => m.column))];
    const amount = columns.length === 1 && defaultAggregate(columns[0]!) === 'sum' ? columns[0] : undefined;
    const said = c.op === 'between' ? `between ${c.low} and ${c.high}` : `${c.op} ${c.value}`;
    if (!amount) throw new CannotMerge(`Which column should be ${said}? Name it, e.g. "<column> ${said}".`);
    return c.op === 'between'
      ? { kind: 'between', column: amount, low: c.low, high: c.high }
      : { kind: 'compare', column: amount, op: c.op, value: c.value };
  }

  private mergeRanking() {
    const wanted =
      this.f.ranking ?? (this.f.superlative ? { direction: this.f.superlative, limit: 1 } : undefined);
    if (!wanted) return;
    const rankedRows = this.list?.kind === 'rows' && this.list.orderBy !== undefined;
    if (!rankedRows && this.groups.length === 0)
      throw new CannotMerge('Ranked among what? The previous question has no groups; say "by <column>".');
    if (this.list && !rankedRows)
      throw new CannotMerge('Ranked by what? Name a numeric column, e.g. "top 5 by <column>".');
    const ranking = {
      direction: wanted.direction,
      limit: wanted.limit ?? this.ranking?.limit ?? DEFAULT_RANKING,
    };
    this.changes.push(
      this.ranking ? `${rankText(ranking)} instead of ${rankText(this.ranking)}` : rankText(ranking),
    );
    this.ranking = ranking;
  }

  private mergePercent() {
    if (!this.f.percentAsked) return;
    if (this.groups.length === 0)
      throw new CannotMerge(
        'Percentage of what? The previous question has no groups to share a total among.',
      );
    if (this.percent?.kind !== 'of-total') this.changes.push('as a percentage of the total');
    this.percent = { kind: 'of-total' };
  }

  private checked(): QueryIntent {
    const intent: QueryIntent = {
      measures: this.measures,
      groups: this.groups,
      filters: this.filters,
      ...(this.percent ? { percent: this.percent } : {}),
      ...(this.ranking ? { ranking: this.ranking } : {}),
      ...(this.list ? { list: this.list } : {}),
    };
    if (intent.percent) {
      const m = intent.measures[0];
      if (m && !hasShares(m))
        throw new CannotMerge(
          `A percentage of an ${describeAggregate(m.agg)} does not add up; ask for a count or a total.`,
        );
      if (m && m.agg === 'avg')
        intent.measures = [{ agg: 'sum', column: m.column }, ...intent.measures.slice(1)];
    }
    if (intent.ranking && intent.ranking.limit > MAX_RANKING)
      throw new CannotMerge(`Ask for at most the top ${MAX_RANKING}.`);
    if (intent.measures.length === 0 && !intent.list)
      throw new CannotMerge('I could not find what to compute.');
    return intent;
  }
}

function sameColumn(a: Filter, b: Filter): boolean {
  return a.column.name === b.column.name;
}
