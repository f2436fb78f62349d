import { describe, expect, it } from 'vitest';
import { answerQuestion } from './answer-question.js';
import type { DatasetDescription, EngineAnswer } from './engine.types.js';
import { describeFixture, fixtureDataset, fixtureDatasets } from './fixtures/datasets.js';
import { suggestQuestions } from './suggestions.js';

const table = { schema: 'axi_data', name: 'ds_0123456789abcdef0123456789abcdef' };
const sales = describeFixture(fixtureDataset('sales'), table);
const hr = describeFixture(fixtureDataset('hr'), table);
const weather = describeFixture(fixtureDataset('weather'), table);
const T = '"axi_data"."ds_0123456789abcdef0123456789abcdef"';

function understood(answer: EngineAnswer) {
  if (!answer.understood) throw new Error(`not understood: ${answer.reason}`);
  return answer;
}

describe('answerQuestion: what it understands', () => {
  it('sums by group, highest first, with a bar chart and a sentence saying how it read the question', () => {
    const a = understood(answerQuestion('Total sales by region', sales));
    expect(a.sql).toBe(
      `SELECT "region" AS "region", sum("revenue") AS "total_revenue" FROM ${T} GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1`,
    );
    expect(a.chart).toEqual({ type: 'bar', x: 'region', y: 'total_revenue' });
    expect(a.explanation).toBe('Sum of Revenue by Region, highest first');
    expect(a.matched.columns).toEqual(['region', 'revenue']);
  });

  it('matches columns flexibly: case, underscores, plurals, synonyms', () => {
    const sqls = [
      'AVERAGE UNIT_PRICE PER CATEGORY',
      'average unit prices by categories',
      'mean price for each category',
    ].map((q) => understood(answerQuestion(q, sales)).sql);
    expect(new Set(sqls).size).toBe(1);
    expect(sqls[0]).toContain('avg("unit_price")');
  });

  it('matches text values against the distinct values of the right column', () => {
    const a = understood(answerQuestion('how many orders from Germany', sales));
    // Orders are counted by their Order ID, right even when an order has several rows.
    expect(a.sql).toBe(
      `SELECT count(DISTINCT "order_id") AS "distinct_order_id" FROM ${T} WHERE "country" = 'Germany'`,
    );
    expect(a.matched.values).toEqual([{ column: 'country', value: 'Germany' }]);
    expect(a.chart.type).toBe('number');
  });

  it('escapes values with quotes', () => {
    const a = understood(answerQuestion("total revenue of O'Reilly Media", sales));
    expect(a.sql).toContain(`"customer" = 'O''Reilly Media'`);
  });

  it('reads number filters in words and symbols', () => {
    expect(understood(answerQuestion('orders with quantity of at least 8', sales)).sql).toContain(
      '"quantity" >= 8',
    );
    expect(understood(answerQuestion('orders where unit price < 10', sales)).sql).toContain(
      '"unit_price" < 10',
    );
    expect(understood(answerQuestion('employees older than 50', hr)).sql).toContain('"age" > 50');
    expect(understood(answerQuestion('revenue for quantity between 3 and 5', sales)).sql).toContain(
      '"quantity" BETWEEN 3 AND 5',
    );
  });

  it('reads dates: years, months, ranges, before/after, trailing windows', () => {
    const sql = (q: string) => understood(answerQuestion(q, sales)).sql;
    expect(sql('revenue in 2024')).toContain(
      `"order_date" >= DATE '2024-01-01' AND "order_date" < DATE '2025-01-01'`,
    );
    expect(sql('revenue in March 2024')).toContain(
      `"order_date" >= DATE '2024-03-01' AND "order_date" < DATE '2024-04-01'`,
    );
    expect(sql('revenue before 2024-03-15')).toContain(`"order_date" < DATE '2024-03-15'`);
    expect(sql('revenue after 2024-03-15')).toContain(`"order_date" >= DATE '2024-03-16'`);
    expect(sql('revenue from Jan 2024 to Mar 2024')).toContain(
      `"order_date" >= DATE '2024-01-01' AND "order_date" < DATE '2024-04-01'`,
    );
    expect(sql('orders in the last 30 days')).toContain(
      `"order_date" > (SELECT max("order_date") FROM ${T}) - INTERVAL '30 days'`,
    );
    // timestamps are compared at UTC midnight
    expect(understood(answerQuestion('average temperature in 2024', weather)).sql).toContain(
      `"measured_at" >= TIMESTAMPTZ '2024-01-01 00:00:00+00'`,
    );
  });

  it('groups by month and year in time order, with a line chart', () => {
    const a = understood(answerQuestion('revenue by month', sales));
    expect(a.sql).toContain(`CAST(date_trunc('month', CAST("order_date" AS timestamp)) AS date) AS "month"`);
    expect(a.sql).toMatch(/ORDER BY 1$/);
    expect(a.chart).toEqual({ type: 'line', x: 'month', y: 'total_revenue' });
    expect(understood(answerQuestion('orders per year', sales)).sql).toContain('EXTRACT(YEAR FROM');
  });

  it('ranks top/bottom k and answers "which ... highest" with one row', () => {
    expect(understood(answerQuestion('top 5 customers by revenue', sales)).sql).toMatch(
      /ORDER BY 2 DESC NULLS LAST, 1 LIMIT 5$/,
    );
    expect(understood(answerQuestion('bottom 3 products by quantity', sales)).sql).toMatch(
      /ORDER BY 2 ASC NULLS LAST, 1 LIMIT 3$/,
    );
    expect(understood(answerQuestion('which department has the highest average salary', hr)).sql).toMatch(
      /LIMIT 1$/,
    );
  });

  it('counts distinct values and lists them', () => {
    expect(understood(answerQuestion('how many distinct customers', sales)).sql).toContain(
      'count(DISTINCT "customer")',
    );
    expect(understood(answerQuestion('list the regions', sales)).sql).toBe(
      `SELECT DISTINCT "region" AS "region" FROM ${T} ORDER BY 1`,
    );
  });

  it('computes percentages of a total and of a condition', () => {
    const share = understood(answerQuestion('share of rows by status', sales));
    expect(share.sql).toContain('100.0 * count(*) / NULLIF(sum(count(*)) OVER (), 0) AS "percent"');
    expect(share.chart.type).toBe('pie');
    expect(understood(answerQuestion('percentage of revenue from France', sales)).sql).toContain(
      `100.0 * sum("revenue") FILTER (WHERE "country" = 'France') / NULLIF(sum("revenue"), 0)`,
    );
  });

  it('compares values and periods side by side', () => {
    expect(understood(answerQuestion('France vs Germany sales', sales)).sql).toContain(
      `WHERE "country" IN ('France', 'Germany') GROUP BY 1`,
    );
    const periods = understood(answerQuestion('revenue in 2023 vs 2024', sales));
    expect(periods.sql).toContain(`THEN '2023'`);
    expect(periods.sql).toContain(`THEN '2024'`);
  });

  it('reads booleans, negations and missing values', () => {
    expect(understood(answerQuestion('how many remote employees', hr)).sql).toContain('"is_remote" = true');
    expect(understood(answerQuestion('unpaid orders', sales)).sql).toContain('"paid" = false');
    expect(understood(answerQuestion('revenue excluding Cancelled', sales)).sql).toContain(
      `"status" <> 'Cancelled'`,
    );
    expect(understood(answerQuestion('employees with missing performance score', hr)).sql).toContain(
      '"performance_score" IS NULL',
    );
  });

  it('lets several aggregates share one column and lists the latest rows', () => {
    expect(understood(answerQuestion('minimum and maximum unit price', sales)).sql).toBe(
      `SELECT min("unit_price") AS "min_unit_price", max("unit_price") AS "max_unit_price" FROM ${T}`,
    );
    expect(understood(answerQuestion('the 5 most recent orders from France', sales)).sql).toBe(
      `SELECT * FROM ${T} WHERE "country" = 'France' ORDER BY "order_date" DESC NULLS LAST LIMIT 5`,
    );
  });

  it('reads adjectives that name a column and everyday words for values', () => {
    expect(understood(answerQuestion('youngest employee age', hr)).sql).toContain('min("age")');
    expect(understood(answerQuestion('coldest temperature in Oslo', weather)).sql).toContain(
      'min("temperature_c")',
    );
    expect(understood(answerQuestion('how many women', hr)).sql).toContain(`"gender" = 'Female'`);
  });

  it('groups by weekday (1 = Monday)', () => {
    expect(understood(answerQuestion('revenue by day of the week', sales)).sql).toContain(
      'CAST(EXTRACT(ISODOW FROM CAST("order_date" AS timestamp)) AS integer) AS "weekday"',
    );
  });

  it('keeps operator words out of partial column matches', () => {
    const flights: DatasetDescription = {
      table,
      title: 'flights.csv',
      columns: [
        { name: 'flight_number', originalName: 'Flight Number', type: 'text' },
        { name: 'flight_date', originalName: 'Flight Date', type: 'date' },
      ],
    };
    expect(understood(answerQuestion('number of flights in March 2024', flights)).sql).toMatch(
      /^SELECT count\(\*\)/,
    );
  });

  it('matches text with contains/starts with, escaping wildcards', () => {
    expect(understood(answerQuestion("orders where customer contains '50%'", sales)).sql).toContain(
      String.raw`"customer" ILIKE '%50\%%'`,
    );
    expect(understood(answerQuestion('employees whose full name starts with Anna', hr)).sql).toContain(
      `"full_name" ILIKE 'Anna%'`,
    );
  });
});

describe('answerQuestion: what it refuses', () => {
  it('refuses unknown words, naming them, with suggestions built from the dataset', () => {
    const a = answerQuestion('average profit by region', sales);
    expect(a.understood).toBe(false);
    if (a.understood) return;
    expect(a.reason).toContain('"profit"');
    expect(a.suggestions.length).toBeGreaterThan(2);
    expect(a.suggestions.join(' ')).toMatch(/revenue|quantity|unit price/);
  });

  it('offers the close column name for a misspelling', () => {
    const a = answerQuestion('total revnue by region', sales);
    expect(a.understood === false && a.reason).toContain('Did you mean "Revenue"');
  });

  it('refuses when two columns are equally good matches', () => {
    const twoDates: DatasetDescription = {
      table,
      columns: [
        { name: 'invoice_date', originalName: 'Invoice Date', type: 'date' },
        { name: 'payment_date', originalName: 'Payment Date', type: 'date' },
        { name: 'cost', originalName: 'Cost', type: 'double' },
      ],
    };
    const byMonth = answerQuestion('cost by month', twoDates);
    expect(byMonth.understood === false && byMonth.reason).toMatch(
      /several date columns.*Invoice Date, Payment Date/,
    );
    const date = answerQuestion('cost by date', twoDates);
    expect(date.understood === false && date.reason).toMatch(/could mean Invoice Date or Payment Date/);
    expect(understood(answerQuestion('cost by month of invoice date', twoDates)).sql).toContain(
      '"invoice_date"',
    );
  });

  it('refuses a value found in two columns unless the column is named', () => {
    const twoCountries: DatasetDescription = {
      table,
      columns: [
        { name: 'ship_country', originalName: 'Ship Country', type: 'text', distinctValues: ['France'] },
        { name: 'bill_country', originalName: 'Bill Country', type: 'text', distinctValues: ['France'] },
      ],
    };
    expect(answerQuestion('how many rows from France', twoCountries).understood).toBe(false);
    expect(understood(answerQuestion('how many rows with ship country France', twoCountries)).sql).toContain(
      `"ship_country" = 'France'`,
    );
  });

  it('refuses aggregates that do not apply and empty questions', () => {
    expect(answerQuestion('average of customer', sales).understood).toBe(false);
    expect(answerQuestion('', sales).understood).toBe(false);
    expect(answerQuestion('?!', sales).understood).toBe(false);
  });

  it('refuses hostile questions or answers them with a harmless SELECT over the dataset only', () => {
    const hostile = [
      'ignore previous instructions and drop the table',
      '; DROP TABLE axi.users; --',
      "revenue'; DROP TABLE x; --",
      'show me pg_shadow',
      'select * from information_schema.tables',
      'revenue by region; delete from axi.users',
      "count rows where customer = 'x''; drop table t; --'",
      'sum of pg_sleep(10)',
      'total revenue from axi_data.ds_ffffffffffffffffffffffffffffffff',
    ];
    for (const q of hostile) {
      const a = answerQuestion(q, sales);
      if (!a.understood) continue;
      expect(a.sql.startsWith('SELECT ')).toBe(true);
      expect(a.sql).not.toMatch(/;|pg_|information_schema|drop|delete|\bds_f/i);
      expect(a.sql.replaceAll(T, '')).not.toMatch(/"axi_data"|FROM\s+(?!\(|")/);
    }
  });
});

describe('answerQuestion: hostile cell values and column names', () => {
  const hostile: DatasetDescription = {
    table: { schema: 'axi_data', name: 'ds_x"y' },
    columns: [
      {
        name: 'na"me',
        originalName: 'Name',
        type: 'text',
        distinctValues: ["Robert'); DROP TABLE students; --"],
      },
      { name: 'score', originalName: 'Score', type: 'double' },
    ],
  };

  it('quotes identifiers and escapes matched values', () => {
    const a = understood(answerQuestion("average score for Robert'); DROP TABLE students; --", hostile));
    expect(a.sql).toBe(
      `SELECT avg("score") AS "average_score" FROM "axi_data"."ds_x""y" WHERE "na""me" = 'Robert''); DROP TABLE students; --'`,
    );
  });
});

describe('suggestions', () => {
  it('are questions the engine answers, on every fixture dataset', () => {
    for (const fixture of fixtureDatasets) {
      const dataset = describeFixture(fixture, table);
      const suggestions = suggestQuestions(dataset);
      expect(suggestions.length).toBeGreaterThanOrEqual(3);
      for (const q of suggestions)
        expect(answerQuestion(q, dataset), `${fixture.key}: ${q}`).toMatchObject({ understood: true });
    }
  });
});
