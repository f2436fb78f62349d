import { MAX_AGGREGATE_ROWS, MAX_PIPELINE_STAGES } from '../../../../contracts/mlog/query.js';
import { PipelineInvalid } from './query.errors.js';

/**
 * Compiles a MongoDB-style aggregation pipeline (a documented subset) into ONE parameterised
 * SQL statement over `mlog.events`: a CTE per stage. User text only ever becomes a parameter:
 * field names are looked up in an allow-list (or in what earlier stages produced) and every SQL
 * identifier is one of ours (`s3`, `c7`, `o2`). Pure: no database here.
 *
 * Semantics, where SQL and MongoDB could differ:
 * - `metadata.<key>` reads one top-level key of the metadata object; a JSON null and a missing
 *   key are the same (null). Compared with a string it matches JSON strings, with a number JSON
 *   numbers, with a boolean JSON booleans (so `{ "metadata.n": "5" }` does not match the number 5).
 * - `$ne` and `$eq: null` follow MongoDB: `$ne` matches rows where the field is missing.
 * - Text compares and sorts in byte order (collation "C") on every engine.
 * - `$sum`/`$avg`/`$min`/`$max` over `metadata.<key>` use its numeric values and skip the rest;
 *   `$min`/`$max` also work on text and `ts`.
 * - Sorting a metadata field orders by type (missing/null, numbers, strings, objects, arrays,
 *   booleans), then value. Ascending puts nulls first, descending last, as MongoDB does.
 * - `$group` with `_id: null` and `$count` return no row when nothing matched, as MongoDB does.
 * - Order survives `$match`, `$project` and `$limit` after a `$sort` (a row number carries it);
 *   `$group` output has no defined order.
 */

export type FieldKind = 'text' | 'timestamp' | 'number' | 'json' | 'object' | 'null';

export interface OutputColumn {
  /** Where the value goes in the result row (`['_id', 'service']` nests). */
  path: string[];
  /** The SQL column alias in the result. */
  alias: string;
  kind: FieldKind;
}

export interface CompiledPipeline {
  text: string;
  parameters: unknown[];
  columns: OutputColumn[];
}

interface Field {
  /** Dotted name the pipeline refers to it by. */
  name: string;
  kind: FieldKind;
  /** SQL expression over the previous stage's columns. */
  expr: string;
}

interface Shape {
  fields: Field[];
  /** Column carrying the order a `$sort` established, if any. */
  order: string | undefined;
}

const ALLOWED_SOURCE: { name: string; kind: FieldKind }[] = [
  { name: 'ts', kind: 'timestamp' },
  { name: 'service', kind: 'text' },
  { name: 'action', kind: 'text' },
  { name: 'user_id', kind: 'text' },
  { name: 'session_id', kind: 'text' },
  { name: 'correlation_id', kind: 'text' },
  { name: 'metadata', kind: 'object' },
];

const MATCH_OPERATORS = new Set(['$eq', '$ne', '$in', '$gt', '$gte', '$lt', '$lte']);
const ACCUMULATORS = new Set(['$sum', '$avg', '$min', '$max']);
const RANGE_SQL: Record<string, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const METADATA_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_IN_VALUES = 1000;
const MAX_LIMIT = 1_000_000_000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, message: string): never {
  throw new PipelineInvalid(path, message);
}

class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

export function compilePipeline(pipeline: unknown): CompiledPipeline {
  if (!Array.isArray(pipeline) || pipeline.length === 0)
    fail('pipeline', 'must be a non-empty array of stages');
  if (pipeline.length > MAX_PIPELINE_STAGES) fail('pipeline', `has more than ${MAX_PIPELINE_STAGES} stages`);
  const params = new Parameters();
  const ctes: string[] = [
    `s0 as (select ts, service, action, user_id, session_id, correlation_id, metadata from mlog.events)`,
  ];
  let shape: Shape = {
    fields: ALLOWED_SOURCE.map((f) => ({ ...f, expr: f.name })),
    order: undefined,
  };
  let aliasCount = 0;
  const nextAlias = () => `c${aliasCount++}`;

  pipeline.forEach((stage: unknown, index) => {
    const at = `pipeline[${index}]`;
    if (!isPlainObject(stage)) fail(at, 'must be an object with one stage operator');
    const keys = Object.keys(stage);
    if (keys.length !== 1) fail(at, 'must have exactly one stage operator');
    const operator = keys[0]!;
    const spec = stage[operator];
    const prev = `s${index}`;
    const compiler = stageCompilers[operator];
    if (!compiler) fail(`${at}.${operator}`, 'is not supported');
    const { select, shape: next } = compiler(spec, `${at}.${operator}`, shape, {
      params,
      nextAlias,
      stageIndex: index + 1,
    });
    ctes.push(`s${index + 1} as (${select.replaceAll('{prev}', prev)})`);
    shape = next;
  });

  const columns: OutputColumn[] = shape.fields.map((f, i) => ({
    path: f.name.split('.'),
    alias: `r${i}`,
    kind: f.kind,
  }));
  const last = `s${pipeline.length}`;
  const list = shape.fields.map((f, i) => `${f.expr} as r${i}`).join(', ') || 'null as r_empty';
  const text =
    `with ${ctes.join(', ')} select ${list} from ${last}` +
    `${shape.order ? ` order by ${shape.order}` : ''} limit ${params.add(MAX_AGGREGATE_ROWS + 1, 'bigint')}`;
  return { text, parameters: params.values, columns };
}

interface StageTools {
  params: Parameters;
  nextAlias: () => string;
  stageIndex: number;
}

type StageCompiler = (
  spec: unknown,
  at: string,
  shape: Shape,
  tools: StageTools,
) => { select: string; shape: Shape };

/** A field by name: one the shape has, or a key of the metadata object while that is present. */
function resolveField(shape: Shape, name: string, at: string, params: Parameters): Field {
  const found = shape.fields.find((f) => f.name === name);
  if (found) return found;
  const metadata = shape.fields.find((f) => f.name === 'metadata' && f.kind === 'object');
  if (metadata && name.startsWith('metadata.')) {
    const key = name.slice('metadata.'.length);
    if (!METADATA_KEY.test(key)) fail(at, 'metadata keys are letters, digits, _ and - (no nesting)');
    return {
      name,
      kind: 'json',
      expr: `nullif(${metadata.expr} -> ${params.add(key, 'text')}, 'null'::jsonb)`,
    };
  }
  return fail(at, 'unknown field');
}

function fieldReference(value: unknown, at: string): string {
  if (typeof value !== 'string' || !value.startsWith('$') || value.length < 2)
    fail(at, 'must be a field reference such as "$service"');
  return value.slice(1);
}

function stringView(f: Field): string {
  return f.kind === 'json'
    ? `(case when jsonb_typeof(${f.expr}) = 'string' then ${f.expr} #>> '{}' end)`
    : f.expr;
}

function numberView(f: Field): string {
  return f.kind === 'json'
    ? `(case when jsonb_typeof(${f.expr}) = 'number' then (${f.expr} #>> '{}')::double precision end)`
    : f.expr;
}

function booleanView(f: Field): string {
  return `(case when jsonb_typeof(${f.expr}) = 'boolean' then (${f.expr} #>> '{}')::boolean end)`;
}

/** One comparison of a field with a literal, typed by the field and the literal. */
function comparison(f: Field, op: string, operand: unknown, at: string, params: Parameters): string {
  if (f.kind === 'object' || f.kind === 'null') fail(at, `${f.name} cannot be compared; use metadata.<key>`);
  if (operand === null) {
    if (op === '$eq') return `(${f.expr} is null)`;
    if (op === '$ne') return `(${f.expr} is not null)`;
    fail(at, 'cannot compare with null');
  }
  const sqlOp = op === '$eq' ? '=' : op === '$ne' ? 'is distinct from' : RANGE_SQL[op]!;
  const range = op in RANGE_SQL;
  let left: string;
  let right: string;
  if (typeof operand === 'string' && (f.kind === 'text' || f.kind === 'json')) {
    left = range ? `(${stringView(f)} collate "C")` : stringView(f);
    right = params.add(operand, 'text');
  } else if (typeof operand === 'string' && f.kind === 'timestamp') {
    if (!ISO_INSTANT.test(operand) || Number.isNaN(Date.parse(operand)))
      fail(at, 'must be an ISO 8601 date-time with an offset, e.g. 2026-01-01T00:00:00Z');
    left = f.expr;
    right = params.add(operand, 'timestamptz');
  } else if (typeof operand === 'number' && (f.kind === 'number' || f.kind === 'json')) {
    if (!Number.isFinite(operand)) fail(at, 'must be a finite number');
    left = numberView(f);
    right = params.add(operand, 'double precision');
  } else if (typeof operand === 'boolean' && f.kind === 'json') {
    if (range) fail(at, 'booleans are only compared with $eq, $ne and $in');
    left = booleanView(f);
    right = params.add(operand, 'boolean');
  } else {
    const expected = {
      text: 'a string',
      timestamp: 'an ISO 8601 date-time',
      number: 'a number',
      json: 'a string, number or boolean',
    };
    return fail(at, `${f.name} is compared with ${expected[f.kind as keyof typeof expected]}`);
  }
  return `(${left} ${sqlOp} ${right})`;
}

function conditionsFor(f: Field, value: unknown, at: string, params: Parameters): string[] {
  if (Array.isArray(value)) fail(at, 'arrays are only allowed in $in');
  if (!isPlainObject(value)) return [comparison(f, '$eq', value, at, params)];
  const ops = Object.keys(value);
  if (ops.length === 0) fail(at, 'must name at least one operator');
  return ops.map((op) => {
    const opAt = `${at}.${op}`;
    if (!MATCH_OPERATORS.has(op)) fail(opAt, 'is not supported');
    const operand = value[op];
    if (op !== '$in') {
      if (isPlainObject(operand) || Array.isArray(operand))
        fail(opAt, 'must be a string, number, boolean or null');
      return comparison(f, op, operand, opAt, params);
    }
    if (!Array.isArray(operand)) fail(opAt, 'must be an array');
    if (operand.length > MAX_IN_VALUES) fail(opAt, `takes at most ${MAX_IN_VALUES} values`);
    if (operand.length === 0) return 'false';
    return `(${operand
      .map((v, i) => {
        if (isPlainObject(v) || Array.isArray(v))
          fail(`${opAt}[${i}]`, 'must be a string, number, boolean or null');
        return comparison(f, '$eq', v, `${opAt}[${i}]`, params);
      })
      .join(' or ')})`;
  });
}

const match: StageCompiler = (spec, at, shape, { params }) => {
  if (!isPlainObject(spec)) fail(at, 'must be an object of field conditions');
  const conditions = Object.entries(spec).flatMap(([name, value]) => {
    const fieldAt = `${at}.${name}`;
    if (name.startsWith('$')) fail(fieldAt, 'is not supported');
    return conditionsFor(resolveField(shape, name, fieldAt, params), value, fieldAt, params);
  });
  const where = conditions.length > 0 ? ` where ${conditions.join(' and ')}` : '';
  return { select: `select * from {prev}${where}`, shape };
};

function sortKeys(f: Field, descending: boolean, at: string): string[] {
  const dir = descending ? 'desc nulls last' : 'asc nulls first';
  switch (f.kind) {
    case 'text':
      return [`${f.expr} collate "C" ${dir}`];
    case 'json':
      return [
        `(case jsonb_typeof(${f.expr}) when 'number' then 1 when 'string' then 2 when 'object' then 3 when 'array' then 4 when 'boolean' then 5 else 0 end) ${dir}`,
        `${numberView(f)} ${dir}`,
        `(${stringView(f)} collate "C") ${dir}`,
        `${booleanView(f)} ${dir}`,
      ];
    case 'object':
    case 'null':
      return fail(at, `${f.name} cannot be sorted on`);
    default:
      return [`${f.expr} ${dir}`];
  }
}

const sort: StageCompiler = (spec, at, shape, { params, stageIndex }) => {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) fail(at, 'must be an object of field: 1 or -1');
  const keys = Object.entries(spec).flatMap(([name, direction]) => {
    const fieldAt = `${at}.${name}`;
    if (direction !== 1 && direction !== -1) fail(fieldAt, 'must be 1 or -1');
    return sortKeys(resolveField(shape, name, fieldAt, params), direction === -1, fieldAt);
  });
  const order = `o${stageIndex}`;
  return {
    select: `select *, row_number() over (order by ${keys.join(', ')}) as ${order} from {prev}`,
    shape: { fields: shape.fields, order },
  };
};

const limit: StageCompiler = (spec, at, shape, { params }) => {
  if (typeof spec !== 'number' || !Number.isInteger(spec) || spec < 1 || spec > MAX_LIMIT)
    fail(at, 'must be a positive integer');
  const order = shape.order ? ` order by ${shape.order}` : '';
  return { select: `select * from {prev}${order} limit ${params.add(spec, 'bigint')}`, shape };
};

const count: StageCompiler = (spec, at, _shape, { nextAlias }) => {
  if (typeof spec !== 'string' || !OUTPUT_NAME.test(spec))
    fail(at, 'must be a field name (letters, digits, _)');
  const alias = nextAlias();
  return {
    select: `select count(*)::double precision as ${alias} from {prev} having count(*) > 0`,
    shape: { fields: [{ name: spec, kind: 'number', expr: alias }], order: undefined },
  };
};

function accumulator(
  spec: unknown,
  at: string,
  shape: Shape,
  params: Parameters,
): { expr: string; kind: FieldKind } {
  if (!isPlainObject(spec) || Object.keys(spec).length !== 1)
    fail(at, 'must be an object with one accumulator ($sum, $avg, $min, $max)');
  const [op, argument] = Object.entries(spec)[0]!;
  const opAt = `${at}.${op}`;
  if (!ACCUMULATORS.has(op)) fail(opAt, 'is not supported');
  if (op === '$sum' && typeof argument === 'number') {
    if (!Number.isFinite(argument)) fail(opAt, 'must be a finite number or a field reference');
    return argument === 1
      ? { expr: 'count(*)::double precision', kind: 'number' }
      : { expr: `(count(*) * ${params.add(argument, 'double precision')})`, kind: 'number' };
  }
  const f = resolveField(shape, fieldReference(argument, opAt), opAt, params);
  const numeric = f.kind === 'number' || f.kind === 'json';
  if (op === '$sum' || op === '$avg') {
    if (!numeric) fail(opAt, `${f.name} is not numeric`);
    const fn = op === '$sum' ? `coalesce(sum(${numberView(f)}), 0)` : `avg(${numberView(f)})`;
    return { expr: `${fn}::double precision`, kind: 'number' };
  }
  const fn = op === '$min' ? 'min' : 'max';
  if (numeric) return { expr: `${fn}(${numberView(f)})::double precision`, kind: 'number' };
  if (f.kind === 'text') return { expr: `${fn}(${f.expr} collate "C")`, kind: 'text' };
  if (f.kind === 'timestamp') return { expr: `${fn}(${f.expr})`, kind: 'timestamp' };
  return fail(opAt, `${f.name} cannot be aggregated`);
}

const group: StageCompiler = (spec, at, shape, { params, nextAlias }) => {
  if (!isPlainObject(spec) || !('_id' in spec)) fail(at, 'must be an object with an _id');
  const keys: { name: string; source: Field }[] = [];
  const idAt = `${at}._id`;
  const id = spec._id;
  const groupable = (f: Field, fieldAt: string) => {
    if (f.kind === 'object' || f.kind === 'null') fail(fieldAt, `cannot group by ${f.name}`);
    return f;
  };
  if (typeof id === 'string') {
    keys.push({
      name: '_id',
      source: groupable(resolveField(shape, fieldReference(id, idAt), idAt, params), idAt),
    });
  } else if (isPlainObject(id)) {
    if (Object.keys(id).length === 0) fail(idAt, 'must name at least one field');
    for (const [name, ref] of Object.entries(id)) {
      const fieldAt = `${idAt}.${name}`;
      if (!OUTPUT_NAME.test(name)) fail(fieldAt, 'is not a valid name (letters, digits, _)');
      const source = resolveField(shape, fieldReference(ref, fieldAt), fieldAt, params);
      keys.push({ name: `_id.${name}`, source: groupable(source, fieldAt) });
    }
  } else if (id !== null) {
    fail(idAt, 'must be null, a field reference or an object of field references');
  }

  const fields: Field[] = [];
  const select: string[] = [];
  if (keys.length === 0) {
    const alias = nextAlias();
    select.push(`null::text as ${alias}`);
    fields.push({ name: '_id', kind: 'null', expr: alias });
  }
  for (const key of keys) {
    const alias = nextAlias();
    select.push(`${key.source.expr} as ${alias}`);
    fields.push({ name: key.name, kind: key.source.kind, expr: alias });
  }
  const keyCount = select.length;
  for (const [name, value] of Object.entries(spec)) {
    if (name === '_id') continue;
    const fieldAt = `${at}.${name}`;
    if (!OUTPUT_NAME.test(name)) fail(fieldAt, 'is not a valid name (letters, digits, _)');
    const { expr, kind } = accumulator(value, fieldAt, shape, params);
    const alias = nextAlias();
    select.push(`${expr} as ${alias}`);
    fields.push({ name, kind, expr: alias });
  }
  const grouping =
    keys.length > 0
      ? ` group by ${Array.from({ length: keyCount }, (_, i) => i + 1).join(', ')}`
      : ' having count(*) > 0';
  return {
    select: `select ${select.join(', ')} from {prev}${grouping}`,
    shape: { fields, order: undefined },
  };
};

const project: StageCompiler = (spec, at, shape, { params, nextAlias }) => {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0)
    fail(at, 'must be an object of field: 1, 0 or "$field"');
  const entries = Object.entries(spec);
  const isExclusion = (v: unknown) => v === 0 || v === false;
  const isInclusion = (v: unknown) => v === 1 || v === true || typeof v === 'string';
  for (const [name, value] of entries) {
    if (!isExclusion(value) && !isInclusion(value)) fail(`${at}.${name}`, 'must be 1, 0 or "$field"');
  }
  const under = (f: Field, name: string) => f.name === name || f.name.startsWith(`${name}.`);
  const inclusive = entries.some(([name, value]) => name !== '_id' && isInclusion(value));
  let fields: Field[];
  const select: string[] = [];

  if (!inclusive) {
    for (const [name] of entries) {
      if (!shape.fields.some((f) => under(f, name)) && name !== '_id') fail(`${at}.${name}`, 'unknown field');
    }
    fields = shape.fields.filter((f) => !entries.some(([name]) => under(f, name)));
    for (const f of fields) select.push(f.expr);
  } else {
    fields = [];
    const excludeId = entries.some(([name, value]) => name === '_id' && isExclusion(value));
    const listed = new Set(entries.map(([name]) => name));
    const carry = (f: Field, name = f.name) => {
      const alias = nextAlias();
      select.push(`${f.expr} as ${alias}`);
      fields.push({ name, kind: f.kind, expr: alias });
    };
    // MongoDB keeps _id unless told otherwise.
    if (!excludeId && !listed.has('_id'))
      for (const f of shape.fields.filter((f) => under(f, '_id'))) carry(f);
    for (const [name, value] of entries) {
      const fieldAt = `${at}.${name}`;
      if (isExclusion(value)) {
        if (name !== '_id') fail(fieldAt, 'cannot exclude in an inclusion projection (only _id: 0)');
        continue;
      }
      if (typeof value === 'string') {
        if (!OUTPUT_NAME.test(name)) fail(fieldAt, 'is not a valid name (letters, digits, _)');
        carry(resolveField(shape, fieldReference(value, fieldAt), fieldAt, params), name);
        continue;
      }
      const matching = shape.fields.filter((f) => under(f, name));
      if (matching.length > 0) for (const f of matching) carry(f);
      else carry(resolveField(shape, name, fieldAt, params));
    }
    const names = fields.map((f) => f.name);
    for (const n of names) {
      if (names.some((other) => other !== n && other.startsWith(`${n}.`)))
        fail(`${at}.${n}`, 'collides with a field inside it');
    }
    if (new Set(names).size !== names.length) fail(at, 'names a field twice');
  }
  if (shape.order) select.push(shape.order);
  if (select.length === 0) select.push('null as c_none');
  return { select: `select ${select.join(', ')} from {prev}`, shape: { fields, order: shape.order } };
};

const stageCompilers: Record<string, StageCompiler> = {
  $match: match,
  $group: group,
  $sort: sort,
  $limit: limit,
  $project: project,
  $count: count,
};

/** Turns result rows (aliased columns) into documents, nesting dotted names. */
export function toDocuments(
  columns: OutputColumn[],
  rows: Record<string, unknown>[],
): Record<string, unknown>[] {
  return rows.map((row) => {
    const doc: Record<string, unknown> = {};
    for (const column of columns) {
      let value = row[column.alias] ?? null;
      if (value instanceof Date) value = value.toISOString();
      let target = doc;
      for (const part of column.path.slice(0, -1)) {
        const existing = target[part];
        if (isPlainObject(existing)) {
          target = existing;
        } else {
          const nested: Record<string, unknown> = {};
          target[part] = nested;
          target = nested;
        }
      }
      target[column.path.at(-1)!] = value;
    }
    return doc;
  });
}
