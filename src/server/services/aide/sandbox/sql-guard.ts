import { parse } from 'libpg-query';
import type { SqlRefusalReason } from '../../../../contracts/aide/sandbox.js';
import {
  allowedCastTypes,
  allowedFunctions,
  allowedOperators,
  allowedValueFunctions,
  deniedFunctionReasons,
  plainNodeTypes,
} from './sql-allow-lists.js';

/** The one table a query may read: a dataset's row table. */
export interface SandboxTable {
  schema: string;
  name: string;
}

export interface GuardLimits {
  /** Longest SQL text accepted, in characters. */
  maxSqlLength: number;
  /** Deepest nesting of SELECTs (subqueries, CTE bodies) below the statement itself. */
  maxSubqueryDepth: number;
  /** Relations (tables, subqueries, CTEs) in one SELECT's FROM, joins included. */
  maxFromItems: number;
  /** Pairs joined without a condition (comma, CROSS JOIN, ON TRUE) in one SELECT. */
  maxUnconditionedJoins: number;
  /** Times the dataset table is read in the whole query. */
  maxTableReferences: number;
}

export const defaultGuardLimits: GuardLimits = {
  maxSqlLength: 10_000,
  maxSubqueryDepth: 4,
  maxFromItems: 3,
  maxUnconditionedJoins: 1,
  maxTableReferences: 6,
};

export type SqlCheck = { ok: true; sql: string } | { ok: false; reason: SqlRefusalReason; detail: string };

export interface CheckSqlOptions {
  table: SandboxTable;
  /** The dataset's column names (safe identifiers), to name an unknown column early. */
  columns: readonly string[];
  limits?: Partial<GuardLimits>;
}

class Refusal extends Error {
  constructor(
    readonly reason: SqlRefusalReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function refuse(reason: SqlRefusalReason, detail: string): never {
  throw new Refusal(reason, detail);
}

type Tree = Record<string, unknown>;
interface Scope {
  /** CTE names visible here: an unqualified name among them is that CTE, not a table. */
  ctes: ReadonlySet<string>;
  /** SELECT nesting below the statement. */
  depth: number;
}

const statementNames: Record<string, string> = {
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  TransactionStmt: 'a transaction command',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  CopyStmt: 'COPY',
  LockStmt: 'LOCK',
  ExplainStmt: 'EXPLAIN',
  CreateTableAsStmt: 'CREATE TABLE AS',
};
const constructNames: Record<string, string> = {
  RangeTableSample: 'TABLESAMPLE',
  RangeTableFunc: 'XMLTABLE',
  JsonTable: 'JSON_TABLE',
  ParamRef: 'A query parameter ($n)',
};
const dataModifying = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

function describeStatement(type: string): string {
  return (
    statementNames[type] ??
    type
      .replace(/Stmt$/, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toUpperCase()
  );
}

function isNode(value: unknown): value is Tree {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  // Node wrappers are `{ TypeName: {...} }`; inline structs (alias, withClause...) have lowercase fields.
  return keys.length === 1 && /^[A-Z]/.test(keys[0] as string);
}

function nodeType(node: Tree): string {
  return Object.keys(node)[0] as string;
}

function nodeBody(node: Tree): Tree {
  return node[nodeType(node)] as Tree;
}

/** `[{String: {sval: 'a'}}, ...]` -> `['a', ...]` (A_Star and others become '*'). */
function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const body = isNode(item) && nodeType(item) === 'String' ? nodeBody(item) : undefined;
    return typeof body?.sval === 'string' ? body.sval : '*';
  });
}

function quoted(parts: string[]): string {
  return parts.map((p) => (p === '*' ? p : `"${p}"`)).join('.');
}

function containsColumnRef(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsColumnRef);
  if (value === null || typeof value !== 'object') return false;
  if (isNode(value) && nodeType(value) === 'ColumnRef') return true;
  return Object.values(value).some(containsColumnRef);
}

function deniedReason(name: string): string | undefined {
  for (const [pattern, why] of deniedFunctionReasons) {
    const matches = pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
    if (matches) return why;
  }
  return undefined;
}

/**
 * Every name the query itself defines or uses outside column references (aliases, CTE and
 * output names, function and type names that PostgreSQL turns into output column names), so a
 * column reference to one of them is not taken for a missing dataset column.
 */
function collectDefinedNames(value: unknown, into: Set<string>, inColumnRef = false): void {
  if (Array.isArray(value)) {
    for (const item of value) collectDefinedNames(item, into, inColumnRef);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Tree;
  if (isNode(record)) {
    const type = nodeType(record);
    const body = nodeBody(record);
    if (type === 'String' && !inColumnRef && typeof body?.sval === 'string') into.add(body.sval);
    collectDefinedNames(body, into, type === 'ColumnRef' || inColumnRef);
    return;
  }
  for (const key of ['name', 'aliasname', 'ctename']) {
    if (typeof record[key] === 'string') into.add(record[key] as string);
  }
  for (const child of Object.values(record)) collectDefinedNames(child, into, inColumnRef);
}

// PostgreSQL names output columns of these expressions after the construct itself.
const implicitColumnNames = ['case', 'coalesce', 'greatest', 'least', 'nullif', 'exists', 'array', 'row'];

class SqlGuard {
  private tableReferences = 0;
  /** Reported only when nothing worse is found: a forbidden table matters more than a typo. */
  private unknownColumn: string | undefined;

  constructor(
    private readonly table: SandboxTable,
    private readonly knownColumns: ReadonlySet<string>,
    private readonly datasetColumns: readonly string[],
    private readonly limits: GuardLimits,
  ) {}

  checkStatement(stmt: Tree): void {
    const type = nodeType(stmt);
    if (dataModifying.has(type))
      refuse('data_modifying', `${describeStatement(type)} changes data; only SELECT is allowed.`);
    if (type !== 'SelectStmt')
      refuse('not_select', `${describeStatement(type)} is not a query; only SELECT is allowed.`);
    this.visitSelect(nodeBody(stmt), { ctes: new Set(), depth: 0 });
    if (this.unknownColumn !== undefined) {
      const listed = this.datasetColumns.slice(0, 40).join(', ');
      refuse(
        'unknown_column',
        `The dataset has no column "${this.unknownColumn}"; its columns are: ${listed}${this.datasetColumns.length > 40 ? ', ...' : ''}.`,
      );
    }
  }

  private visitSelect(select: Tree, outer: Scope): void {
    if (outer.depth > this.limits.maxSubqueryDepth)
      refuse(
        'too_complex',
        `Subqueries are nested more than ${this.limits.maxSubqueryDepth} deep; flatten the query.`,
      );
    if (select.intoClause)
      refuse('select_into', 'SELECT INTO creates a table; only plain SELECT is allowed.');
    if (select.lockingClause)
      refuse('locking_clause', 'FOR UPDATE/SHARE locks rows; a read-only query may not lock.');
    const scope = this.visitWith(select.withClause as Tree | undefined, outer);
    if (select.op && select.op !== 'SETOP_NONE') {
      // UNION/INTERSECT/EXCEPT: both sides are SELECTs at the same depth, seeing the same CTEs.
      this.visitSelect(select.larg as Tree, scope);
      this.visitSelect(select.rarg as Tree, scope);
    }
    this.checkFrom((select.fromClause as unknown[] | undefined) ?? []);
    for (const [key, value] of Object.entries(select)) {
      if (['withClause', 'larg', 'rarg', 'op', 'all', 'limitOption'].includes(key)) continue;
      this.walk(value, scope);
    }
  }

  private visitWith(withClause: Tree | undefined, outer: Scope): Scope {
    if (!withClause) return outer;
    if (withClause.recursive) refuse('too_complex', 'WITH RECURSIVE can run without end; use a plain WITH.');
    const ctes = new Set(outer.ctes);
    for (const item of (withClause.ctes as Tree[] | undefined) ?? []) {
      const cte = nodeBody(item);
      const query = cte.ctequery as Tree;
      const type = nodeType(query);
      if (dataModifying.has(type))
        refuse(
          'data_modifying',
          `The WITH query "${String(cte.ctename)}" is ${describeStatement(type)}, which changes data; only SELECT is allowed.`,
        );
      if (type !== 'SelectStmt')
        refuse('not_select', `The WITH query "${String(cte.ctename)}" is not a SELECT.`);
      // A non-recursive CTE sees the ones before it, not itself.
      this.visitSelect(nodeBody(query), { ctes, depth: outer.depth + 1 });
      ctes.add(String(cte.ctename));
    }
    return { ctes, depth: outer.depth };
  }

  /** Bounds on what one SELECT joins: each FROM item or join without a condition multiplies rows. */
  private checkFrom(fromClause: unknown[]): void {
    let items = 0;
    let unconditioned = Math.max(0, fromClause.length - 1);
    const count = (item: unknown): void => {
      if (!isNode(item)) return;
      if (nodeType(item) !== 'JoinExpr') {
        items += 1;
        return;
      }
      const join = nodeBody(item);
      const hasCondition =
        Boolean(join.usingClause) || Boolean(join.isNatural) || containsColumnRef(join.quals);
      if (!hasCondition) unconditioned += 1;
      count(join.larg);
      count(join.rarg);
    };
    for (const item of fromClause) count(item);
    if (items > this.limits.maxFromItems)
      refuse(
        'too_complex',
        `One SELECT reads ${items} tables or subqueries (at most ${this.limits.maxFromItems}); use fewer joins.`,
      );
    if (unconditioned > this.limits.maxUnconditionedJoins)
      refuse(
        'too_complex',
        `One SELECT has ${unconditioned} joins without a join condition (at most ${this.limits.maxUnconditionedJoins}): the rows multiply; add ON conditions.`,
      );
  }

  private walk(value: unknown, scope: Scope): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item, scope);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (isNode(value)) {
      this.visitNode(nodeType(value), nodeBody(value), scope);
      return;
    }
    for (const child of Object.values(value)) this.walk(child, scope);
  }

  private visitNode(type: string, body: Tree, scope: Scope): void {
    switch (type) {
      case 'SelectStmt':
        this.visitSelect(body, { ctes: scope.ctes, depth: scope.depth + 1 });
        return;
      case 'RangeVar':
        this.checkRelation(body, scope);
        return;
      case 'RangeSubselect':
        this.walk(body.subquery, scope);
        return;
      case 'JoinExpr':
        this.walk([body.larg, body.rarg, body.quals], scope);
        return;
      case 'FuncCall':
        this.checkFunction(body);
        this.walk([body.args, body.agg_order, body.agg_filter, body.over], scope);
        return;
      case 'TypeCast':
        this.checkType(body.typeName as Tree);
        this.walk(body.arg, scope);
        return;
      case 'A_Expr':
        this.checkOperator(body);
        this.walk([body.lexpr, body.rexpr], scope);
        return;
      case 'ColumnRef':
        this.checkColumn(body);
        return;
      case 'RangeFunction':
        // The function's own reason (generate_series...) says more than "function in FROM".
        this.walk(body.functions, scope);
        refuse('forbidden_construct', 'A function in FROM is not allowed; read the dataset table.');
        return;
      case 'SQLValueFunction':
        if (!allowedValueFunctions.has(String(body.op)))
          refuse(
            'forbidden_function',
            `${String(body.op).replace('SVFOP_', '').toLowerCase()} is not allowed: it describes the session, not the data.`,
          );
        return;
      default:
        if (type.endsWith('Stmt')) {
          if (dataModifying.has(type))
            refuse('data_modifying', `${describeStatement(type)} changes data; only SELECT is allowed.`);
          refuse('not_select', `${describeStatement(type)} inside the query is not allowed.`);
        }
        if (!plainNodeTypes.has(type))
          refuse('forbidden_construct', `${constructNames[type] ?? type} is not allowed in a dataset query.`);
        this.walk(body, scope);
        return;
    }
  }

  private checkRelation(rel: Tree, scope: Scope): void {
    const schema = rel.schemaname as string | undefined;
    const name = String(rel.relname);
    const shown = quoted([rel.catalogname, schema, name].filter((p): p is string => typeof p === 'string'));
    if (!schema && scope.ctes.has(name)) return;
    const isDataset =
      !rel.catalogname && (schema ?? this.table.schema) === this.table.schema && name === this.table.name;
    if (!isDataset) {
      const system =
        name.startsWith('pg_') ||
        schema === 'pg_catalog' ||
        schema === 'information_schema' ||
        schema?.startsWith('pg_');
      refuse(
        'forbidden_relation',
        system
          ? `${shown} is a system catalog; only the dataset's table "${this.table.name}" may be read.`
          : `${shown} is not this dataset's table; only "${this.table.name}" (or a WITH query) may be read.`,
      );
    }
    this.tableReferences += 1;
    if (this.tableReferences > this.limits.maxTableReferences)
      refuse(
        'too_complex',
        `The query reads the dataset table more than ${this.limits.maxTableReferences} times; simplify it.`,
      );
  }

  private checkFunction(call: Tree): void {
    const parts = names(call.funcname);
    const name = parts.at(-1) ?? '';
    const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
    if (!schemaOk)
      refuse(
        'forbidden_function',
        `${quoted(parts)}() is not allowed: functions outside pg_catalog are refused.`,
      );
    if (allowedFunctions.has(name)) return;
    const why = deniedReason(name);
    refuse(
      'forbidden_function',
      why ? `${name}() is not allowed: ${why}.` : `${name}() is not in the list of allowed functions.`,
    );
  }

  private checkType(typeName: Tree): void {
    const parts = names(typeName.names);
    const name = parts.at(-1) ?? '';
    const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
    if (!schemaOk || !allowedCastTypes.has(name))
      refuse(
        'forbidden_type',
        `A cast to ${quoted(parts)} is not allowed; cast to numbers, text, booleans, dates, timestamps or intervals.`,
      );
  }

  private checkOperator(expr: Tree): void {
    const kind = String(expr.kind);
    // BETWEEN and friends carry a keyword, not an operator, as their name.
    if (kind.includes('BETWEEN')) return;
    const parts = names(expr.name);
    const symbol = parts.at(-1) ?? '';
    const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
    if (!schemaOk || !allowedOperators.has(symbol))
      refuse('forbidden_operator', `The operator ${parts.join('.')} is not allowed.`);
  }

  private checkColumn(ref: Tree): void {
    const parts = names(ref.fields);
    if (parts.length > 4)
      refuse('forbidden_relation', `${quoted(parts)} names a column in another database.`);
    if (parts.length >= 3) {
      const [schema, relation] = parts.length === 4 ? parts.slice(1, 3) : parts.slice(0, 2);
      if (parts.length === 4 || schema !== this.table.schema || relation !== this.table.name)
        refuse('forbidden_relation', `${quoted(parts)} refers to a table other than the dataset's.`);
    }
    const column = parts.at(-1) ?? '*';
    if (column !== '*' && !this.knownColumns.has(column)) this.unknownColumn ??= column;
  }
}

/** Where the statement is in the text: the parser gives its offset and length (0: to the end). */
function statementText(sql: string, entry: Tree): string {
  const start = typeof entry.stmt_location === 'number' ? entry.stmt_location : 0;
  const length = typeof entry.stmt_len === 'number' && entry.stmt_len > 0 ? entry.stmt_len : undefined;
  const text = length === undefined ? sql.slice(start) : sql.slice(start, start + length);
  return text.trim();
}

/**
 * Decides whether `sql` may run against one dataset: exactly one SELECT (CTEs, set operations
 * and subqueries allowed) that reads only the dataset's table, calls only allow-listed functions,
 * casts only to basic types and stays within `limits`. Parsed by the real PostgreSQL parser, so
 * comments, quoting and odd spacing are read exactly as the server would read them.
 * On success `sql` is the statement alone (without a trailing semicolon), ready to be wrapped.
 */
export async function checkSql(sql: string, options: CheckSqlOptions): Promise<SqlCheck> {
  const limits = { ...defaultGuardLimits, ...options.limits };
  if (sql.length > limits.maxSqlLength)
    return {
      ok: false,
      reason: 'too_complex',
      detail: `The query is ${sql.length} characters long (at most ${limits.maxSqlLength}).`,
    };
  let tree: { stmts?: Tree[] };
  try {
    tree = await parse(sql);
  } catch (err) {
    return {
      ok: false,
      reason: 'parse_error',
      detail: `PostgreSQL cannot parse the query: ${err instanceof Error ? err.message : String(err)}.`,
    };
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) return { ok: false, reason: 'empty', detail: 'There is no statement to run.' };
  if (statements.length > 1)
    return {
      ok: false,
      reason: 'multiple_statements',
      detail: `Found ${statements.length} statements; exactly one SELECT is allowed.`,
    };
  const entry = statements[0] as Tree;
  const known = new Set([...options.columns, ...implicitColumnNames, options.table.name]);
  collectDefinedNames(entry.stmt, known);
  try {
    new SqlGuard(options.table, known, options.columns, limits).checkStatement(entry.stmt as Tree);
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.reason, detail: err.detail };
    throw err;
  }
  return { ok: true, sql: statementText(sql, entry) };
}
