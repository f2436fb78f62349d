import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HistoryEntry, Nl2SqlResponse } from '../../../../contracts/aide/nl2sql.js';
import { columns, datasetId, problem, renderWithApp } from '../../analytics/test-utils.js';
import { AskPanel, exampleQuestion, extendContext, MAX_CONTEXT } from './ask-panel.js';

const session = vi.hoisted(() => ({ roles: ['analyst'] as string[] }));
vi.mock('../../../shared/auth/session.js', () => ({
  useSession: () => ({ user: { roles: session.roles } }),
}));
// jsdom has no canvas: the chart renders as its accessible image, with the numbers it was given.
vi.mock('./answer-chart.js', () => ({
  default: ({ ariaLabel, labels, values }: { ariaLabel: string; labels: string[]; values: number[] }) => (
    <div
      role="img"
      aria-label={ariaLabel}
      data-points={labels.map((l, i) => `${l}=${values[i]}`).join(',')}
    />
  ),
}));

const timings = { describeMs: 1, generateMs: 0.4, validateMs: 2, executeMs: 3, totalMs: 6.4 };
const sqlByRegion =
  'SELECT "region", sum("amount_eur") AS "total_amount_eur" FROM "axi_data"."d" GROUP BY 1 ORDER BY 2 DESC NULLS LAST';

const byRegion: Nl2SqlResponse = {
  understood: true,
  sql: sqlByRegion,
  columns: [
    { name: 'region', pgType: 'text', kind: 'text' },
    // numeric sums stay exact decimal strings
    { name: 'total_amount_eur', pgType: 'numeric', kind: 'number' },
  ],
  rows: [
    { region: 'North', total_amount_eur: '1250.50' },
    { region: 'South', total_amount_eur: '980.25' },
    { region: null, total_amount_eur: '10' },
  ],
  truncated: false,
  chart: { type: 'bar', x: 'region', y: 'total_amount_eur' },
  explanation: 'Total of Amount (EUR) for each Region, largest first.',
  model: null,
  provider: 'builtin',
  promptVersion: 'builtin-1',
  timings,
};

const notUnderstood: Nl2SqlResponse = {
  understood: false,
  reason: 'I do not know what “flurb” means here.',
  suggestions: ['how many rows', 'average quantity by customer'],
  provider: 'builtin',
  promptVersion: 'builtin-1',
  timings,
};

const countAnswer: Nl2SqlResponse = {
  understood: true,
  sql: 'SELECT count(*) AS "count" FROM "axi_data"."d"',
  columns: [{ name: 'count', pgType: 'bigint', kind: 'number' }],
  rows: [{ count: '1000000' }],
  truncated: false,
  chart: { type: 'number', y: 'count' },
  explanation: 'The number of rows.',
  model: null,
  provider: 'builtin',
  promptVersion: 'builtin-1',
  timings,
};

function entry(question: string, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: crypto.randomUUID(),
    question,
    understood: true,
    sql: 'SELECT 1',
    provider: 'builtin',
    promptVersion: 'builtin-1',
    rowCount: 1,
    truncated: false,
    createdAt: '2024-09-01T10:00:00.000Z',
    ...overrides,
  };
}

let asked: unknown[] = [];
let answers: Record<string, Nl2SqlResponse> = {};
let history: HistoryEntry[] = [];
const historyRequests: URLSearchParams[] = [];

const server = setupServer(
  http.post('/api/aide/nl2sql', async ({ request }) => {
    const body = (await request.json()) as { question: string };
    asked.push(body);
    const answer = answers[body.question] ?? notUnderstood;
    history = [entry(body.question, { understood: answer.understood }), ...history];
    return HttpResponse.json(answer);
  }),
  http.get('/api/aide/history', ({ request }) => {
    historyRequests.push(new URL(request.url).searchParams);
    return HttpResponse.json({ items: history });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  asked = [];
  answers = {};
  history = [];
  historyRequests.length = 0;
  session.roles = ['analyst'];
});
afterAll(() => server.close());

const renderPanel = () => renderWithApp(<AskPanel datasetId={datasetId} columns={columns} />);

describe('ask panel', () => {
  it('asks on Enter and shows the rows, the chart and the copyable SQL', async () => {
    answers['total amount by region'] = byRegion;
    const user = userEvent.setup();
    renderPanel();
    const box = screen.getByRole('textbox', { name: 'Question' });
    expect(box.getAttribute('placeholder')).toBe('e.g. total amount (eur) by customer');

    await user.type(box, '  total amount by region{Enter}');
    expect(await screen.findByText('Total of Amount (EUR) for each Region, largest first.')).toBeTruthy();
    expect(asked).toEqual([{ datasetId, question: 'total amount by region' }]);
    // The live region announces a short sentence, not the whole table.
    expect(
      screen.getByText('Total of Amount (EUR) for each Region, largest first. 3 rows.', {
        selector: '[role=status]',
      }),
    ).toBeTruthy();

    const table = screen.getByRole('table', { name: 'Rows of the answer' });
    expect(within(table).getByRole('row', { name: 'North 1250.50' })).toBeTruthy();
    expect(within(table).getByRole('row', { name: '— 10' })).toBeTruthy();
    expect(screen.getByText('Showing 3 of 3 rows.')).toBeTruthy();

    const chart = await screen.findByRole('img', { name: /^Bar chart of total_amount_eur by region/ });
    expect(chart.getAttribute('data-points')).toBe('North=1250.5,South=980.25,(empty)=10');

    expect(screen.getByText(sqlByRegion)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Copy SQL' }));
    await expect(navigator.clipboard.readText()).resolves.toBe(sqlByRegion);
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy();
    expect(screen.getByText(/Answered by builtin · prompt builtin-1 · 6 ms/)).toBeTruthy();

    // The question is now in the history, which was fetched again.
    expect(await screen.findByRole('button', { name: 'Ask again: total amount by region' })).toBeTruthy();
    expect(historyRequests.at(-1)?.get('datasetId')).toBe(datasetId);
  });

  it('shows a count as one number, and says when the result was truncated', async () => {
    answers['how many rows'] = countAnswer;
    answers['all rows'] = {
      ...byRegion,
      chart: { type: 'table' },
      rows: Array.from({ length: 1000 }, (_, i) => ({ region: `R${i}`, total_amount_eur: String(i) })),
      truncated: true,
    };
    const user = userEvent.setup();
    renderPanel();
    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'how many rows{Enter}');
    expect((await screen.findByTestId('answer-number')).textContent).toBe('1000000');
    expect(screen.queryByRole('img')).toBeNull();

    await user.clear(screen.getByRole('textbox', { name: 'Question' }));
    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'all rows{Enter}');
    expect(
      await screen.findByText(
        'Showing 100 of 1,000 rows. The result was truncated: it has more rows than the 1,000 returned.',
      ),
    ).toBeTruthy();
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(101);
    // A table answer draws no chart.
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('says when the configured provider failed and the built-in engine answered', async () => {
    answers['how many rows'] = { ...countAnswer, fallback: { from: 'openai', reason: 'timeout' } };
    const user = userEvent.setup();
    renderPanel();
    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'how many rows{Enter}');
    expect((await screen.findByTestId('answer-fallback')).textContent).toBe(
      'The openai provider did not answer in time, so the built-in engine answered.',
    );
  });

  it('says clearly when it did not understand, and asks a suggestion when clicked', async () => {
    answers['how many rows'] = countAnswer;
    const user = userEvent.setup();
    renderPanel();
    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'flurb the wibble{Enter}');
    expect(await screen.findByText('I did not understand “flurb the wibble”.')).toBeTruthy();
    expect(
      screen.getByText('I did not understand “flurb the wibble”. I do not know what “flurb” means here.', {
        selector: '[role=status]',
      }),
    ).toBeTruthy();
    expect(screen.getByText('I do not know what “flurb” means here.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Copy SQL' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'how many rows' }));
    expect((await screen.findByTestId('answer-number')).textContent).toBe('1000000');
    expect(asked.at(-1)).toEqual({ datasetId, question: 'how many rows' });
    expect(screen.getByRole('textbox', { name: 'Question' })).toHaveProperty('value', 'how many rows');
  });

  it('asks a question from the history again when it is clicked', async () => {
    answers['how many rows'] = countAnswer;
    history = [
      entry('how many rows', { rowCount: 1 }),
      entry('flurb', { understood: false, sql: null, rowCount: 0 }),
      entry('how many rows', { rowCount: 1 }),
    ];
    const user = userEvent.setup();
    renderPanel();
    const again = await screen.findByRole('button', { name: 'Ask again: how many rows' });
    // Asked twice, offered once; the refused one says so.
    expect(screen.getByRole('button', { name: 'Ask again: flurb' }).closest('li')?.textContent).toContain(
      'not understood',
    );
    await user.click(again);
    expect((await screen.findByTestId('answer-number')).textContent).toBe('1000000');
    expect(asked).toEqual([{ datasetId, question: 'how many rows' }]);
  });

  it('says when the answer came from the cache, and names a rate limit plainly', async () => {
    answers['how many rows'] = { ...countAnswer, cached: true };
    const user = userEvent.setup();
    renderPanel();
    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'how many rows{Enter}');
    expect((await screen.findByTestId('answer-cached')).textContent).toMatch(/^Answered from the cache/);

    server.use(
      http.post('/api/aide/nl2sql', () =>
        HttpResponse.json(
          problem(
            429,
            'Too many requests',
            'Too many AIDE requests: at most 30 a minute; retry in 12 seconds.',
          ),
          { status: 429, headers: { 'retry-after': '12' } },
        ),
      ),
    );
    await user.clear(screen.getByRole('textbox', { name: 'Question' }));
    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'total amount by month{Enter}');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Too many questions for now'),
    );
    expect(screen.getByRole('alert').textContent).toContain('retry in 12 seconds');
  });

  it('shows the problem detail when asking fails, and refuses an empty question itself', async () => {
    server.use(
      http.post('/api/aide/nl2sql', () =>
        HttpResponse.json(problem(422, 'Query timed out', 'The query ran longer than 5 s and was stopped.'), {
          status: 422,
        }),
      ),
    );
    const user = userEvent.setup();
    renderPanel();
    await user.click(screen.getByRole('button', { name: 'Ask' }));
    expect(screen.getByRole('alert').textContent).toBe('Type a question first.');
    expect(screen.getByRole('textbox', { name: 'Question' }).getAttribute('aria-invalid')).toBe('true');

    await user.type(screen.getByRole('textbox', { name: 'Question' }), 'total amount by month{Enter}');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Query timed out'));
    expect(screen.getByRole('alert').textContent).toContain('The query ran longer than 5 s and was stopped.');
  });

  it('sends the earlier answered questions as context, says what it follows up, and starts over', async () => {
    answers['how many rows'] = countAnswer;
    answers['total amount by region'] = byRegion;
    answers['and by customer'] = byRegion;
    const user = userEvent.setup();
    renderPanel();
    const box = screen.getByRole('textbox', { name: 'Question' });
    expect(screen.queryByTestId('follow-up')).toBeNull();

    await user.type(box, 'how many rows{Enter}');
    await screen.findByTestId('answer-number');
    expect((await screen.findByTestId('follow-up')).textContent).toBe('Follow-up to: “how many rows”');
    expect(box.getAttribute('aria-describedby')).toContain(screen.getByTestId('follow-up').id);

    // Not understood: sent with the context, but it does not join the conversation.
    await user.clear(box);
    await user.type(box, 'flurb{Enter}');
    await screen.findByText('I did not understand “flurb”.');
    await user.clear(box);
    await user.type(box, 'total amount by region{Enter}');
    await screen.findByRole('table', { name: 'Rows of the answer' });
    await user.clear(box);
    await user.type(box, 'and by customer{Enter}');
    await waitFor(() => expect(asked).toHaveLength(4));
    expect(asked).toEqual([
      { datasetId, question: 'how many rows' },
      { datasetId, question: 'flurb', context: ['how many rows'] },
      { datasetId, question: 'total amount by region', context: ['how many rows'] },
      { datasetId, question: 'and by customer', context: ['how many rows', 'total amount by region'] },
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('follow-up').textContent).toBe('Follow-up to: “and by customer”'),
    );

    await user.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(screen.queryByTestId('follow-up')).toBeNull();
    expect(screen.queryByRole('table', { name: 'Rows of the answer' })).toBeNull();
    expect(document.activeElement).toBe(box);
    expect(box).toHaveProperty('value', '');
    await user.type(box, 'how many rows{Enter}');
    await waitFor(() => expect(asked).toHaveLength(5));
    expect(asked.at(-1)).toEqual({ datasetId, question: 'how many rows' });
  });

  it('keeps the last ten questions of a conversation, oldest first, without an immediate repeat', () => {
    let context: string[] = [];
    for (let i = 1; i <= 12; i++) context = extendContext(context, `q${i}`);
    expect(context).toHaveLength(MAX_CONTEXT);
    expect(context[0]).toBe('q3');
    expect(context.at(-1)).toBe('q12');
    expect(extendContext(['a', 'b'], 'b')).toEqual(['a', 'b']);
    expect(extendContext(['a', 'b'], 'a')).toEqual(['a', 'b', 'a']);
  });

  it('shows viewers a short notice and asks nothing', () => {
    session.roles = ['viewer'];
    renderPanel();
    expect(screen.getByText('Asking questions in plain words needs the analyst or admin role.')).toBeTruthy();
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(historyRequests).toHaveLength(0);
  });

  it('builds the example question from the columns it has', () => {
    expect(exampleQuestion(columns.filter((c) => c.type !== 'text'))).toBe('e.g. average amount (eur)');
    expect(exampleQuestion(columns.filter((c) => c.type === 'text'))).toBe('e.g. how many rows per customer');
    expect(exampleQuestion([])).toBe('e.g. how many rows');
  });
});
