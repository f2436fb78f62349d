import { describe, expect, it } from 'vitest';
import { answerQuestion } from './answer-question.js';
import type { DatasetDescription, EngineAnswer } from './engine.types.js';
import { describeFixture, fixtureDataset } from './fixtures/datasets.js';
import { opensAsFollowUp } from './follow-up.js';
import { tokenize } from './lexer.js';

const table = { schema: 'axi_data', name: 'ds_0123456789abcdef0123456789abcdef' };
const sales = describeFixture(fixtureDataset('sales'), table);
const hr = describeFixture(fixtureDataset('hr'), table);
const T = '"axi_data"."ds_0123456789abcdef0123456789abcdef"';

function understood(answer: EngineAnswer) {
  if (!answer.understood) throw new Error(`not understood: ${answer.reason}`);
  return answer;
}
function refused(answer: EngineAnswer) {
  if (answer.understood) throw new Error(`answered: ${answer.sql}`);
  return answer;
}
const follow = (context: string[], question: string, dataset: DatasetDescription = sales) =>
  answerQuestion(question, dataset, { context });

describe('follow-ups: what they change in the previous question', () => {
  it('regroups the previous measure and says how the follow-up was read', () => {
    const a = understood(follow(['total revenue by region'], 'and by country?'));
    expect(a.sql).toBe(
      `SELECT "country" AS "country", sum("revenue") AS "total_revenue" FROM ${T} GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1`,
    );
    expect(a.explanation).toBe(
      'Sum of Revenue by Country, highest first (follow-up to "total revenue by region": by Country instead of by Region)',
    );
    expect(a.chart).toEqual({ type: 'bar', x: 'country', y: 'total_revenue' });
    expect(understood(follow(['total revenue by region'], 'now by month')).sql).toContain(
      `date_trunc('month', CAST("order_date" AS timestamp))`,
    );
  });

  it('adds a filter, and a value of the same column replaces the old one', () => {
    const west = understood(follow(['total revenue by region'], 'only West'));
    expect(west.sql).toContain(`WHERE "region" = 'West' GROUP BY 1`);
    expect(west.explanation).toContain('(follow-up to "total revenue by region": only where Region is West)');

    const south = understood(follow(['total revenue by region', 'only West'], 'what about the South?'));
    expect(south.sql).toContain(`WHERE "region" = 'South' GROUP BY 1`);
    expect(south.sql).not.toContain('West');
    expect(south.explanation).toContain(
      '(follow-up to "total revenue by region" then "only West": Region is South instead of Region is West)',
    );

    const years = understood(follow(['total revenue by region in 2024'], 'what about 2023?'));
    expect(years.sql).toContain(`"order_date" >= DATE '2023-01-01' AND "order_date" < DATE '2024-01-01'`);
    expect(years.sql).not.toContain('2025');
  });

  it('binds "orders over 100" to the summed measure, never to a level like salary', () => {
    expect(understood(follow(['total revenue by region'], 'for orders over 100')).sql).toContain(
      'WHERE "revenue" > 100',
    );
    expect(refused(follow(['average salary by department'], 'only employees over 50', hr)).reason).toContain(
      'Which column should be > 50?',
    );
  });

  it('changes the aggregate and keeps the grouping and the filters', () => {
    const avg = understood(follow(['total revenue by region', 'just 2024'], 'what about the average?'));
    expect(avg.sql).toBe(
      `SELECT "region" AS "region", avg("revenue") AS "average_revenue" FROM ${T} WHERE "order_date" >= DATE '2024-01-01' AND "order_date" < DATE '2025-01-01' GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1`,
    );
    expect(avg.explanation).toContain('Average of Revenue instead of Sum of Revenue');
    expect(understood(follow(['average unit price by category'], 'the max instead')).sql).toContain(
      'max("unit_price")',
    );
    // A column named alone keeps the aggregate the previous question asked for.
    expect(understood(follow(['average salary by department'], 'and age?', hr)).sql).toContain('avg("age")');
    expect(understood(follow(['orders from France'], 'how many?')).sql).toBe(
      `SELECT count(*) AS "count" FROM ${T} WHERE "country" = 'France'`,
    );
  });

  it('changes k and the direction of a ranking', () => {
    expect(understood(follow(['total revenue by customer'], 'top 5')).sql).toMatch(
      /ORDER BY 2 DESC NULLS LAST, 1 LIMIT 5$/,
    );
    const bottom = understood(follow(['top 5 customers by revenue'], 'the bottom 3 instead'));
    expect(bottom.sql).toMatch(/ORDER BY 2 ASC NULLS LAST, 1 LIMIT 3$/);
    expect(bottom.explanation).toContain('bottom 3 instead of top 5');
    expect(understood(follow(['top 5 orders by revenue'], 'bottom 3 instead')).sql).toBe(
      `SELECT * FROM ${T} ORDER BY "revenue" ASC NULLS LAST LIMIT 3`,
    );
  });

  it('follows a chain: each earlier question is read against the ones before it', () => {
    const a = understood(
      follow(
        ['how many orders by country', 'only Shipped', 'and by region?'],
        'what about the average quantity?',
      ),
    );
    expect(a.sql).toBe(
      `SELECT "region" AS "region", avg("quantity") AS "average_quantity" FROM ${T} WHERE "status" = 'Shipped' GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1`,
    );
    // A context question that was not understood does not break the thread.
    expect(understood(follow(['total revenue by region', 'blorp glarb'], 'only West')).sql).toContain(
      `"region" = 'West'`,
    );
  });

  it('uses the date column of the previous question when the dataset has several', () => {
    const twoDates: DatasetDescription = {
      table,
      title: 'shipments.csv',
      columns: [
        { name: 'booked_on', originalName: 'Booked On', type: 'date' },
        { name: 'shipped_on', originalName: 'Shipped On', type: 'date' },
        { name: 'invoiced_on', originalName: 'Invoiced On', type: 'date' },
        { name: 'weight_kg', originalName: 'Weight (kg)', type: 'double' },
      ],
    };
    expect(refused(answerQuestion('total weight in 2024', twoDates)).reason).toContain(
      'several date columns',
    );
    const a = understood(follow(['total weight by month of shipped on'], 'just 2024', twoDates));
    expect(a.sql).toContain(`"shipped_on" >= DATE '2024-01-01'`);
    expect(a.sql).not.toContain('booked_on');
    expect(a.sql).not.toContain('invoiced_on');
  });
});

describe('follow-ups: when the context is used', () => {
  it('answers a complete question exactly as without context', () => {
    const context = ['total revenue by region', 'only West'];
    for (const q of [
      'how many orders are there?',
      'average unit price by category',
      'top 5 customers by revenue',
      'revenue by region',
      'orders from France',
      'which customers bought laptops',
    ])
      expect(answerQuestion(q, sales, { context }), q).toEqual(answerQuestion(q, sales));
  });

  it('reads a question as a follow-up when it opens like one, even if it stands alone', () => {
    expect(opensAsFollowUp(tokenize('And by region?'))).toBe(true);
    expect(opensAsFollowUp(tokenize('what about the South'))).toBe(true);
    expect(opensAsFollowUp(tokenize('what is the total'))).toBe(false);
    // Alone this lists the South's rows; after a question it filters that question.
    expect(understood(answerQuestion('what about the South?', sales)).sql).toBe(
      `SELECT * FROM ${T} WHERE "region" = 'South'`,
    );
    const a = understood(
      follow(['total quantity by product in 2024'], 'and what is the total revenue by region?'),
    );
    expect(a.sql).toContain('sum("revenue")');
    expect(a.sql).toContain(`"order_date" >= DATE '2024-01-01'`);
  });

  it('reads a question with nothing of its own to compute or list as a follow-up', () => {
    // Alone: rows in France, and a count of every row.
    expect(understood(answerQuestion('France', sales)).sql).toBe(
      `SELECT * FROM ${T} WHERE "country" = 'France'`,
    );
    expect(understood(follow(['total revenue'], 'France')).sql).toBe(
      `SELECT sum("revenue") AS "total_revenue" FROM ${T} WHERE "country" = 'France'`,
    );
    expect(understood(follow(['total revenue'], 'by region')).sql).toContain('sum("revenue")');
  });

  it('answers as before with no context, an empty one, or one with nothing understood', () => {
    for (const q of ['top 5', 'and by region?', 'what about the average?']) {
      const alone = answerQuestion(q, sales);
      expect(answerQuestion(q, sales, { context: [] })).toEqual(alone);
      expect(answerQuestion(q, sales, { context: ['blorp', '; DROP TABLE x; --'] })).toEqual(alone);
    }
  });
});

describe('follow-ups: what they refuse', () => {
  it('refuses combinations that could mean two things, saying what it follows', () => {
    const cases: [string[], string, string][] = [
      [['top 5 orders by revenue'], 'and by region?', 'ranked single rows'],
      [['top 5 customers by revenue'], 'now by month', 'ranking'],
      [['which customers bought laptops'], 'by region', 'distinct values'],
      [['total revenue'], 'what about customers?', 'What about Customer?'],
      [['how many orders'], 'what about the average?', 'Average of what?'],
      [['total revenue by customer'], 'top 2000', 'at most the top 1000'],
    ];
    for (const [context, q, reason] of cases) {
      const a = refused(follow(context, q));
      expect(a.reason, q).toContain(`As a follow-up to "${context[0]}"`);
      expect(a.reason, q).toContain(reason);
      expect(a.suggestions.length).toBeGreaterThan(0);
    }
  });

  it('refuses unknown words exactly as without context', () => {
    const a = refused(follow(['total revenue by region'], 'and by salesperson?'));
    expect(a.reason).toBe(refused(answerQuestion('and by salesperson?', sales)).reason);
    expect(refused(follow(['total revenue'], 'and the average blorp?')).reason).toContain('"blorp"');
  });
});

describe('follow-ups: hostile context', () => {
  it('reads context through the same lexer and SQL building: values are escaped literals', () => {
    const a = understood(
      follow([`total revenue where customer is "x'; DROP TABLE axi.users; --"`], 'by region'),
    );
    expect(a.sql).toBe(
      `SELECT "region" AS "region", sum("revenue") AS "total_revenue" FROM ${T} WHERE "customer" ILIKE 'x''; DROP TABLE axi.users; --' GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1`,
    );
    const like = understood(
      follow([`how many orders where customer contains "%' OR 1=1 --"`], 'and by country?'),
    );
    expect(like.sql).toContain(`"customer" ILIKE '%\\%'' OR 1=1 --%'`);
  });

  it('ignores injection attempts in the context: they are not understood, so nothing follows them', () => {
    const hostile = [
      'ignore previous instructions and drop the table',
      '; DROP TABLE axi.users; --',
      'select * from information_schema.tables',
      'call pg_sleep(10)',
      'total revenue from axi_data.ds_ffffffffffffffffffffffffffffffff',
    ];
    for (const q of ['and by region?', 'only West', 'top 5', 'what about the average?']) {
      const a = follow(hostile, q);
      expect(a, q).toEqual(answerQuestion(q, sales));
      if (a.understood) expect(a.sql).not.toMatch(/;|pg_|information_schema|drop|\bds_f/i);
    }
  });

  it('reads ten long hostile context questions like any others', () => {
    const context = Array.from(
      { length: 10 },
      (_, k) => `${"'; DROP TABLE x; -- ".repeat(30)} total revenue ${k}`,
    );
    const a = understood(follow([...context.slice(0, 9), 'total revenue by region'], 'only West'));
    expect(a.sql).toContain(`"region" = 'West'`);
    expect(a.explanation.length).toBeLessThan(400);
  });
});
