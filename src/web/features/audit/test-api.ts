import { HttpResponse, http } from 'msw';
import type { AuditEventView } from '../../../contracts/mlog/query.js';
import { problem } from '../auth/test-app.js';

/**
 * A small MLOG query API over an in-memory list of events, answering as the server does (the
 * same filters, newest first, a cursor, counts) and recording what each call asked for.
 */
export function fakeMlogApi(initial: AuditEventView[] = []) {
  const events = [...initial];
  const calls: { path: string; params: URLSearchParams; body?: unknown; headers: Headers }[] = [];
  let failWith: { status: number; detail: string; errors?: { field: string; message: string }[] } | undefined;
  const failing: Set<string> = new Set();

  const matches = (params: URLSearchParams) => (e: AuditEventView) => {
    const t = Date.parse(e.ts);
    const from = params.get('from');
    const to = params.get('to');
    return (
      (!from || t >= Date.parse(from)) &&
      (!to || t < Date.parse(to)) &&
      (!params.get('service') || e.service === params.get('service')) &&
      (!params.get('action') || e.action === params.get('action')) &&
      (!params.get('user_id') || e.userId === params.get('user_id'))
    );
  };
  const newestFirst = (a: AuditEventView, b: AuditEventView) =>
    Date.parse(b.ts) - Date.parse(a.ts) || b.id.localeCompare(a.id);

  const record = (path: string, request: Request, body?: unknown) => {
    calls.push({ path, params: new URL(request.url).searchParams, body, headers: request.headers });
    if (failWith && (failing.size === 0 || failing.has(path)))
      return problem(
        failWith.status,
        failWith.status === 403 ? 'forbidden' : 'bad-request',
        failWith.detail,
        failWith.errors,
      );
    return undefined;
  };

  const handlers = [
    http.get('/api/mlog/metrics/timeline', ({ request }) => {
      const failed = record('timeline', request);
      if (failed) return failed;
      const params = new URL(request.url).searchParams;
      const bucket = params.get('bucket') ?? 'hour';
      const size = { minute: 60_000, hour: 3600_000, day: 86_400_000 }[bucket] ?? 3600_000;
      const from = Date.parse(params.get('from')!);
      const to = Date.parse(params.get('to')!);
      const first = Math.floor(from / size) * size;
      const selected = events.filter(matches(params));
      const points = [];
      for (let t = first; t < to; t += size) {
        points.push({
          t: new Date(t).toISOString(),
          count: selected.filter((e) => Math.floor(Date.parse(e.ts) / size) * size === t).length,
        });
      }
      return HttpResponse.json({
        bucket,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        total: selected.length,
        points,
      });
    }),
    http.post('/api/mlog/aggregate', async ({ request }) => {
      const body = (await request.json()) as { pipeline: { $match?: Record<string, unknown> }[] };
      const failed = record('aggregate', request, body);
      if (failed) return failed;
      const match = body.pipeline[0]?.$match ?? {};
      const ts = match.ts as { $gte: string; $lt: string };
      const params = new URLSearchParams({ from: ts.$gte, to: ts.$lt });
      if (typeof match.action === 'string') params.set('action', match.action);
      if (typeof match.user_id === 'string') params.set('user_id', match.user_id);
      const counts = new Map<string, number>();
      for (const e of events.filter(matches(params))) counts.set(e.service, (counts.get(e.service) ?? 0) + 1);
      const rows = [...counts]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([service, count]) => ({ _id: service, count }));
      return HttpResponse.json({ rows, truncated: false });
    }),
    http.get('/api/mlog/analytics/:service', ({ request, params: path }) => {
      const failed = record('analytics', request);
      if (failed) return failed;
      const params = new URL(request.url).searchParams;
      params.set('service', String(path.service));
      const selected = events.filter(matches(params));
      const actions = new Map<string, AuditEventView[]>();
      for (const e of selected) actions.set(e.action, [...(actions.get(e.action) ?? []), e]);
      const users = (list: AuditEventView[]) => new Set(list.map((e) => e.userId).filter(Boolean)).size;
      return HttpResponse.json({
        service: path.service,
        from: params.get('from'),
        to: params.get('to'),
        total: selected.length,
        distinctUsers: users(selected),
        byAction: [...actions]
          .map(([action, list]) => ({ action, count: list.length, distinctUsers: users(list) }))
          .sort((a, b) => b.count - a.count || a.action.localeCompare(b.action)),
      });
    }),
    http.get('/api/mlog/events', ({ request }) => {
      const failed = record('events', request);
      if (failed) return failed;
      const params = new URL(request.url).searchParams;
      const limit = Number(params.get('limit') ?? 100);
      const offset = Number(params.get('cursor') ?? 0);
      const selected = events.filter(matches(params)).sort(newestFirst);
      const items = selected.slice(offset, offset + limit);
      return HttpResponse.json({
        items,
        nextCursor: offset + limit < selected.length ? String(offset + limit) : null,
      });
    }),
  ];

  return {
    handlers,
    calls,
    /** Calls to one endpoint: timeline, aggregate, analytics or events. */
    callsTo: (path: string) => calls.filter((c) => c.path === path),
    add: (...more: AuditEventView[]) => events.push(...more),
    /** Every call (or the named endpoints) answers with this problem from now on. */
    fail(status: number, detail: string, errors?: { field: string; message: string }[], only: string[] = []) {
      failWith = { status, detail, ...(errors ? { errors } : {}) };
      failing.clear();
      for (const p of only) failing.add(p);
    },
  };
}

let seq = 0;

/** An event `minutesAgo` before now, with overrides. */
export function anEvent(minutesAgo: number, overrides: Partial<AuditEventView> = {}): AuditEventView {
  seq += 1;
  const ts = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ts,
    receivedAt: ts,
    service: 'axi',
    action: 'login',
    userId: 'u1',
    sessionId: null,
    correlationId: null,
    schemaVersion: 2,
    metadata: {},
    ...overrides,
  };
}
