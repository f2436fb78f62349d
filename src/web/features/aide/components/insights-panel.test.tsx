import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  AnalyzeDatasetResponse,
  Insight,
  InsightsResponse,
} from '../../../../contracts/aide/insights.js';
import { datasetId, problem, renderWithApp } from '../../analytics/test-utils.js';
import type { InsightChartPlan } from './insight-format.js';
import { factLabel, formatFact, planInsightChart } from './insight-format.js';
import { InsightsPanel } from './insights-panel.js';

const session = vi.hoisted(() => ({ roles: ['analyst'] as string[] }));
vi.mock('../../../shared/auth/session.js', () => ({
  useSession: () => ({ user: { roles: session.roles } }),
}));
// jsdom has no canvas: the chart renders as its accessible image, with the points it was given.
vi.mock('./insight-chart.js', () => ({
  default: ({ plan, ariaLabel }: { plan: InsightChartPlan; ariaLabel: string }) => (
    <div
      role="img"
      aria-label={ariaLabel}
      data-points={
        plan.type === 'scatter'
          ? plan.points.map((p) => `${p.x}:${p.y}`).join(',')
          : plan.labels.map((l, i) => `${l}=${plan.values[i]}`).join(',')
      }
    />
  ),
}));

const correlation: Insight = {
  kind: 'correlation',
  title: 'Revenue rises with Units',
  explanation:
    'Revenue and Units have a strong positive correlation: Pearson r = 0.987 over 1,200 rows where both are filled.',
  facts: { x: 'Units', y: 'Revenue', r: 0.987, n: 1200 },
  chart: {
    type: 'scatter',
    x: 'Units',
    y: 'Revenue',
    data: [
      { Units: 1, Revenue: 10.5 },
      { Units: 2, Revenue: 21 },
      { Units: 3, Revenue: 29.75 },
    ],
  },
  score: 0.987,
  rephrased: false,
};

const concentration: Insight = {
  kind: 'concentration',
  title: '3 Region values hold 81.3% of the total Revenue',
  explanation: 'The top 3 of 5 Region values (North, South, East) account for 81.3% of the total Revenue.',
  facts: {
    column: 'Region',
    measure: 'Revenue',
    topK: 3,
    categories: 5,
    sharePct: 81.3,
    total: 123456.5,
    top1: 'North',
    top1Value: 80000,
  },
  chart: {
    type: 'pie',
    x: 'category',
    y: 'value',
    data: [
      { category: 'North', value: 80000 },
      { category: 'South', value: 12000.25 },
      { category: null, value: 100 },
    ],
  },
  score: 0.813,
  rephrased: false,
};

function insightsOf(insights: Insight[]): InsightsResponse {
  return {
    datasetId,
    insights,
    provider: 'builtin',
    model: null,
    promptVersion: 'builtin-1',
    generatedAt: '2024-09-01T10:00:00.000Z',
  };
}

const analysis: AnalyzeDatasetResponse = {
  datasetId,
  name: 'Orders 2024',
  rowCount: 1_000_000,
  source: 'profile',
  summary: 'Orders 2024 has 1,000,000 rows and 2 columns (1 numeric, 1 text); no column is often empty.',
  columns: [
    {
      name: 'region',
      originalName: 'Region',
      type: 'text',
      count: 999_000,
      nulls: 1_000,
      distinct: 5,
      min: null,
      max: null,
      mean: null,
      topValues: [
        { value: 'North', count: 600_000 },
        { value: 'South', count: 200_000 },
      ],
      explanation: 'Region is empty in 1,000 of 1,000,000 rows (0.1%); it has 5 distinct values.',
    },
    {
      name: 'revenue',
      originalName: 'Revenue',
      type: 'double',
      count: 1_000_000,
      nulls: 0,
      distinct: 1_785,
      min: 10.02,
      max: 2999.8,
      mean: 101.2549,
      topValues: [],
      explanation: 'Revenue is filled in every row; values run from 10.02 to 2,999.8 with a mean of 101.25.',
    },
  ],
};

let insightsAnswer: InsightsResponse = insightsOf([]);
let insightRequests = 0;
let analyzeBodies: unknown[] = [];

const server = setupServer(
  http.post('/api/aide/insights/:id', ({ params }) => {
    insightRequests++;
    expect(params.id).toBe(datasetId);
    return HttpResponse.json(insightsAnswer);
  }),
  http.post('/api/aide/analyze-dataset', async ({ request }) => {
    analyzeBodies.push(await request.json());
    return HttpResponse.json(analysis);
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  insightsAnswer = insightsOf([]);
  insightRequests = 0;
  analyzeBodies = [];
  session.roles = ['analyst'];
});
afterAll(() => server.close());

const renderPanel = () => renderWithApp(<InsightsPanel datasetId={datasetId} />);

/** The facts of a card as "label=value" pairs, in order. */
function factsOf(card: HTMLElement): string[] {
  const terms = within(card).getAllByRole('term');
  return terms.map((dt) => `${dt.textContent}=${dt.nextElementSibling?.textContent}`);
}

describe('insights panel', () => {
  it('shows each insight as a card: its facts, its chart and the chart data as a table', async () => {
    insightsAnswer = insightsOf([correlation, concentration]);
    const user = userEvent.setup();
    renderPanel();
    expect(screen.getByRole('heading', { level: 2, name: 'Insights' })).toBeTruthy();

    const card = (await screen.findByRole('article', { name: 'Revenue rises with Units' })) as HTMLElement;
    expect(screen.getByText('2 insights found.', { selector: '[role=status]' })).toBeTruthy();
    expect(within(card).getByText('Correlation')).toBeTruthy();
    expect(within(card).getByText(correlation.explanation)).toBeTruthy();
    expect(factsOf(card)).toEqual([
      'First column=Units',
      'Second column=Revenue',
      'Pearson r=0.987',
      'Rows with both filled=1,200',
    ]);
    const scatter = await within(card).findByRole('img', {
      name: 'Scatter chart of Revenue against Units, 3 points; the numbers are listed under “Chart data”',
    });
    expect(scatter.getAttribute('data-points')).toBe('1:10.5,2:21,3:29.75');

    // The text alternative: every point of the chart in a table, behind "Chart data".
    await user.click(within(card).getByText('Chart data'));
    const table = within(card).getByRole('table', { name: 'Chart data: Revenue rises with Units' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual(['UnitsRevenue', '110.5', '221', '329.75']);

    const pieCard = screen.getByRole('article', { name: concentration.title }) as HTMLElement;
    expect(factsOf(pieCard)).toEqual([
      'Column=Region',
      'Measure=Revenue',
      'Top values counted=3',
      'Distinct values=5',
      'Share of the top values=81.3%',
      'Total=123,456.5',
      'Top 1=North',
      'Top 1 amount=80,000',
    ]);
    const pie = within(pieCard).getByRole('img', { name: /^Pie chart of value by category/ });
    expect(pie.getAttribute('data-points')).toBe('North=80000,South=12000.25,(empty)=100');
    expect(screen.getByText(/Computed from the data by the built-in engine/)).toBeTruthy();
  });

  it('says when the insights came from the cache, and when the LLM could not word them', async () => {
    insightsAnswer = {
      ...insightsOf([correlation]),
      cached: true,
      fallback: { from: 'anthropic', reason: 'rate_limited' },
    };
    renderPanel();
    expect((await screen.findByTestId('insights-fallback')).textContent).toBe(
      'The anthropic provider was at its limit of calls per minute, so the texts are the built-in ones.',
    );
    expect(screen.getByText(/from the cache/).textContent).toMatch(
      /^Computed from the data by the built-in engine · .* · from the cache$/,
    );
  });

  it('says plainly when nothing notable was found', async () => {
    renderPanel();
    expect(await screen.findByText('Nothing notable found in this dataset')).toBeTruthy();
    expect(
      screen.getByText('Nothing notable found in this dataset.', { selector: '[role=status]' }),
    ).toBeTruthy();
    expect(screen.queryByRole('article')).toBeNull();
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('shows the problem detail when computing fails, and tries again on request', async () => {
    let fail = true;
    server.use(
      http.post('/api/aide/insights/:id', () => {
        insightRequests++;
        return fail
          ? HttpResponse.json(problem(503, 'Service unavailable', 'The statistics query timed out.'), {
              status: 503,
            })
          : HttpResponse.json(insightsOf([correlation]));
      }),
    );
    const user = userEvent.setup();
    renderPanel();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The statistics query timed out.');

    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('article', { name: 'Revenue rises with Units' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(insightRequests).toBe(2);
  });

  it('says in words when the answer does not match the contract', async () => {
    server.use(http.post('/api/aide/insights/:id', () => HttpResponse.json({ insights: 'none' })));
    renderPanel();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The server’s answer could not be read');
    expect(alert.textContent).not.toContain('invalid_type');
  });

  it('computes the insights again on Refresh', async () => {
    insightsAnswer = insightsOf([concentration]);
    const user = userEvent.setup();
    renderPanel();
    await screen.findByRole('article', { name: concentration.title });
    insightsAnswer = insightsOf([correlation]);
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByRole('article', { name: 'Revenue rises with Units' })).toBeTruthy();
    expect(screen.queryByRole('article', { name: concentration.title })).toBeNull();
    expect(insightRequests).toBe(2);
  });

  it('fetches the column summary when it is opened and explains every column', async () => {
    const user = userEvent.setup();
    renderPanel();
    await screen.findByText('Nothing notable found in this dataset');
    expect(analyzeBodies).toEqual([]);

    await user.click(screen.getByText('Column summary'));
    expect(await screen.findByText(analysis.summary)).toBeTruthy();
    expect(analyzeBodies).toEqual([{ datasetId }]);
    expect(screen.getByTestId('summary-rows').textContent).toBe('1,000,000');

    const region = screen.getByRole('heading', { level: 4, name: 'Region' }).closest('li')!;
    expect(within(region).getByText(analysis.columns[0]!.explanation)).toBeTruthy();
    expect(factsOf(region)).toEqual(['Filled=999,000', 'Empty=1,000', 'Distinct=5']);
    expect(
      within(region)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['North600,000', 'South200,000']);

    const revenue = screen.getByRole('heading', { level: 4, name: 'Revenue' }).closest('li')!;
    expect(factsOf(revenue)).toEqual([
      'Filled=1,000,000',
      'Empty=0',
      'Distinct=1,785',
      'Min=10.02',
      'Max=2,999.8',
      'Mean=101.2549',
    ]);
  });

  it('shows the column summary failure with a retry', async () => {
    let fail = true;
    server.use(
      http.post('/api/aide/analyze-dataset', () =>
        fail
          ? HttpResponse.json(problem(404, 'Not found', 'There is no dataset with this id.'), { status: 404 })
          : HttpResponse.json(analysis),
      ),
    );
    const user = userEvent.setup();
    renderPanel();
    await user.click(screen.getByText('Column summary'));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('There is no dataset with this id.'),
    );
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(analysis.summary)).toBeTruthy();
  });

  it('shows viewers a short notice and computes nothing', () => {
    session.roles = ['viewer'];
    renderPanel();
    expect(screen.getByText('Insights need the analyst or admin role.')).toBeTruthy();
    expect(insightRequests).toBe(0);
  });
});

describe('insight formatting', () => {
  it('names facts it has no label for from their key, and formats units by the key', () => {
    expect(factLabel('trend', 'changePct')).toBe('Change');
    expect(factLabel('outliers', 'extreme2')).toBe('Extreme value 2');
    expect(factLabel('trend', 'medianMonthlyTotalPct')).toBe('Median monthly total (%)');
    expect(formatFact('changePct', -12.5)).toBe('-12.5%');
    expect(formatFact('topShare', 0.714)).toBe('71.4%');
    expect(formatFact('r', -0.3)).toBe('-0.3');
    expect(formatFact('total', 1234567.891)).toBe('1,234,567.891');
  });

  it('draws no chart when the measure is not a number or there is nothing to draw', () => {
    expect(planInsightChart({ type: 'bar', x: 'c', y: 'v', data: [{ c: 'a', v: 'many' }] })).toBeUndefined();
    expect(planInsightChart({ type: 'line', x: 'c', y: 'v', data: [] })).toBeUndefined();
    expect(
      planInsightChart({
        type: 'scatter',
        x: 'a',
        y: 'b',
        data: [
          { a: 1, b: null },
          { a: 2, b: 3 },
        ],
      }),
    ).toEqual({
      type: 'scatter',
      points: [{ x: 2, y: 3 }],
      x: 'a',
      y: 'b',
    });
  });
});
