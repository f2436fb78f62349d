import { describe, expect, it } from 'vitest';
import { compilePipeline, toDocuments } from './pipeline-compiler.js';
import { PipelineInvalid } from './query.errors.js';

function rejection(pipeline: unknown): { detail: string; field: string | undefined } {
  try {
    compilePipeline(pipeline);
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineInvalid);
    const e = err as PipelineInvalid;
    expect(e.status).toBe(400);
    return { detail: e.message, field: e.fieldErrors?.[0]?.field };
  }
  throw new Error('the pipeline compiled');
}

describe('compilePipeline', () => {
  it('compiles $match and $group to one statement, a CTE per stage, values as typed parameters', () => {
    const { text, parameters, columns } = compilePipeline([
      { $match: { service: 'axi', ts: { $gte: '2026-01-01T00:00:00Z' } } },
      { $group: { _id: '$action', n: { $sum: 1 } } },
    ]);
    expect(text).toBe(
      'with s0 as (select ts, service, action, user_id, session_id, correlation_id, metadata from mlog.events), ' +
        's1 as (select * from s0 where (service = $1::text) and (ts >= $2::timestamptz)), ' +
        's2 as (select action as c0, count(*)::double precision as c1 from s1 group by 1) ' +
        'select c0 as r0, c1 as r1 from s2 limit $3::bigint',
    );
    expect(parameters).toEqual(['axi', '2026-01-01T00:00:00Z', 10_001]);
    expect(columns.map((c) => c.path)).toEqual([['_id'], ['n']]);
  });

  it('reads metadata keys through a parameter, never as SQL text', () => {
    const { text, parameters } = compilePipeline([{ $match: { 'metadata.plan': { $in: ['pro', 'team'] } } }]);
    expect(text).toContain(`nullif(metadata -> $1::text, 'null'::jsonb)`);
    expect(text).not.toContain('plan');
    expect(parameters).toEqual(['plan', 'pro', 'team', 10_001]);
  });

  it('keeps injection attempts in values as parameters', () => {
    const evil = "x'); drop table mlog.events; --";
    const { text, parameters } = compilePipeline([{ $match: { action: { $ne: evil } } }, { $limit: 5 }]);
    expect(text).not.toContain('drop');
    expect(parameters).toContain(evil);
  });

  it('carries the $sort order through $limit and $project with a row number', () => {
    const { text } = compilePipeline([{ $sort: { ts: -1 } }, { $limit: 3 }, { $project: { service: 1 } }]);
    expect(text).toContain('row_number() over (order by ts desc nulls last) as o1');
    expect(text).toContain('select * from s1 order by o1 limit');
    expect(text).toMatch(/select c0 as r0 from s3 order by o1 limit/);
  });

  it.each([
    [
      [{ $match: {} }, { $limit: 1 }, { $lookup: { from: 'x' } }],
      'pipeline[2].$lookup is not supported',
      'body.pipeline[2].$lookup',
    ],
    [
      [{ $match: { password: 'x' } }],
      'pipeline[0].$match.password: unknown field',
      'body.pipeline[0].$match.password',
    ],
    [
      [{ $match: { service: { $regex: '^a' } } }],
      'pipeline[0].$match.service.$regex is not supported',
      undefined,
    ],
    [[{ $match: { $where: 'sleep(10)' } }], 'pipeline[0].$match.$where is not supported', undefined],
    [
      [{ $match: { 'service; drop table mlog.events': 'x' } }],
      'pipeline[0].$match.service; drop table mlog.events: unknown field',
      undefined,
    ],
    [
      [{ $match: { 'metadata.a"b': 1 } }],
      'pipeline[0].$match.metadata.a"b: metadata keys are letters, digits, _ and - (no nesting)',
      undefined,
    ],
    [
      [{ $match: { ts: { $gt: 'yesterday' } } }],
      'pipeline[0].$match.ts.$gt: must be an ISO 8601 date-time with an offset, e.g. 2026-01-01T00:00:00Z',
      undefined,
    ],
    [
      [{ $match: { service: 5 } }],
      'pipeline[0].$match.service: service is compared with a string',
      undefined,
    ],
    [
      [{ $group: { _id: '$service', n: { $push: '$action' } } }],
      'pipeline[0].$group.n.$push is not supported',
      undefined,
    ],
    [
      [{ $group: { _id: '$service', n: { $sum: '$action' } } }],
      'pipeline[0].$group.n.$sum: action is not numeric',
      undefined,
    ],
    [
      [{ $group: { _id: '$service' } }, { $match: { action: 'login' } }],
      'pipeline[1].$match.action: unknown field',
      undefined,
    ],
    [
      [{ $group: { _id: '$service', 'x; drop': { $sum: 1 } } }],
      'pipeline[0].$group.x; drop is not a valid name (letters, digits, _)',
      undefined,
    ],
    [[{ $sort: { ts: 'desc' } }], 'pipeline[0].$sort.ts: must be 1 or -1', undefined],
    [[{ $limit: 0 }], 'pipeline[0].$limit: must be a positive integer', undefined],
    [[{ $match: {}, $limit: 1 }], 'pipeline[0]: must have exactly one stage operator', undefined],
    [
      [{ $project: { service: 1, action: 0 } }],
      'pipeline[0].$project.action: cannot exclude in an inclusion projection (only _id: 0)',
      undefined,
    ],
  ])('refuses %j naming the stage and the operator or field', (pipeline, detail, field) => {
    const got = rejection(pipeline);
    expect(got.detail).toBe(detail);
    if (field) expect(got.field).toBe(field);
  });

  it('nests dotted output names and turns timestamps into ISO strings', () => {
    const docs = toDocuments(
      [
        { path: ['_id', 'service'], alias: 'r0', kind: 'text' },
        { path: ['_id', 'day'], alias: 'r1', kind: 'timestamp' },
        { path: ['n'], alias: 'r2', kind: 'number' },
      ],
      [{ r0: 'axi', r1: new Date('2026-01-01T00:00:00Z'), r2: 3 }],
    );
    expect(docs).toEqual([{ _id: { service: 'axi', day: '2026-01-01T00:00:00.000Z' }, n: 3 }]);
  });
});
