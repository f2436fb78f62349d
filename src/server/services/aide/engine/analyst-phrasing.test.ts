/**
 * The analyst phrasings added after the first held-out sets: identifiers counted as entities,
 * the row's own date among several, origin/destination, superlative adjectives, seasons, signs,
 * abbreviations, 0/1 flags, and the "average ... per day" that is refused as ambiguous; then,
 * after held-out set 5, "n't" negations, ordinal levels ("first class"), sort orders ("cheapest
 * first"), verbs that name the measure or only link it. Each has the case it must refuse next to
 * the case it answers.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetDescription } from './engine.types.js';
import { describeFixture, fixtureDataset } from './fixtures/datasets.js';
import { fixtureTable, reasonOf, sqlOf } from './fixtures/read-question.js';

const table = fixtureTable;
const describe_ = (key: Parameters<typeof fixtureDataset>[0]) => describeFixture(fixtureDataset(key), table);
const [sales, hr, weather, web, flights, titanic, taxis, superstore] = (
  ['sales', 'hr', 'weather', 'web', 'flights', 'titanic', 'taxis', 'superstore'] as const
).map(describe_) as [
  DatasetDescription,
  DatasetDescription,
  DatasetDescription,
  DatasetDescription,
  DatasetDescription,
  DatasetDescription,
  DatasetDescription,
  DatasetDescription,
];

describe('identifier columns', () => {
  it('counts entities by their identifier, so order lines are not counted as orders', () => {
    const sql = sqlOf('number of orders per ship mode', superstore);
    expect(sql).toContain('count(DISTINCT "order_id")');
    expect(sql).toContain('GROUP BY 1');
  });

  it('takes shares of distinct identifiers against their own total, not a sum over groups', () => {
    const sql = sqlOf('percentage of orders by segment', superstore);
    expect(sql).toContain('NULLIF((SELECT count(DISTINCT "order_id") FROM');
    expect(sql).not.toContain('OVER ()');
  });

  it('never sums an identifier that a plural happens to match ("passengers" is not PassengerId)', () => {
    const sql = sqlOf('percentage of male passengers', titanic);
    expect(sql).not.toContain('sum("passengerid")');
    expect(sql).toContain(`FILTER (WHERE "sex" = 'male')`);
    expect(sqlOf('total passengers by destination', flights)).toContain('sum("passengers")');
  });
});

describe('dates', () => {
  it("uses the row's own date when the other date columns come after it (ship, dropoff)", () => {
    expect(sqlOf('sales in California in 2023', superstore)).toContain(`"order_date" >= DATE '2023-01-01'`);
    expect(sqlOf('number of trips per day', taxis)).toContain(`CAST(("pickup" AT TIME ZONE 'UTC') AS date)`);
    expect(sqlOf('number of orders by ship date', superstore)).toContain('"ship_date"');
  });

  it('reads seasons and half years with a year, and refuses a winter, which spans two years', () => {
    const summer = sqlOf('average temperature per station in summer 2024', weather);
    expect(summer).toContain(`"measured_at" >= TIMESTAMPTZ '2024-06-01`);
    expect(summer).toContain(`"measured_at" < TIMESTAMPTZ '2024-09-01`);
    expect(sqlOf('profit in H2 2023', superstore)).toContain(`"order_date" >= DATE '2023-07-01'`);
    expect(reasonOf('average temperature in winter 2024', weather)).toContain('"winter"');
  });

  it('refuses "average <amount> per day": a daily mean of totals or of rows, by how many rows a day has', () => {
    expect(reasonOf('average sessions per day for the docs page', web)).toMatch(/can mean/);
    expect(sqlOf('average temperature per month', weather)).toContain('avg("temperature_c")');
    expect(sqlOf('average sessions by day', web)).toContain('avg("sessions")');
  });
});

describe('origin and destination', () => {
  it('binds "from X to Y" to the origin and destination columns the headers name', () => {
    expect(sqlOf('flights from AMS to LHR', flights)).toContain(
      `WHERE "origin" = 'AMS' AND "destination" = 'LHR'`,
    );
    expect(sqlOf('cheapest ticket to MAD', flights)).toContain(`"destination" = 'MAD'`);
    expect(sqlOf('trips from JFK Airport to Midtown Center', taxis)).toContain(
      `"pickup_zone" = 'JFK Airport' AND "dropoff_zone" = 'Midtown Center'`,
    );
  });

  it('keeps the direction when the value was only seen at the other end ("to AMS", 0 rows)', () => {
    expect(sqlOf('flights to AMS', flights)).toContain(`WHERE "destination" = 'AMS'`);
    expect(sqlOf('flights from JFK', flights)).toContain(`WHERE "origin" = 'JFK'`);
  });

  it('still refuses a value in both columns without a direction', () => {
    expect(reasonOf('flights with MAD', flights)).toMatch(/several columns/);
  });
});

describe('superlatives', () => {
  it('reads adjectives whose stem or meaning names one numeric column', () => {
    expect(sqlOf('top 3 windiest stations by average wind speed', weather)).toContain('"wind_speed_kmh"');
    expect(sqlOf('longest distance', flights)).toContain('max("distance_km")');
    expect(sqlOf('top 5 most expensive fares', titanic)).toContain('ORDER BY "fare" DESC NULLS LAST LIMIT 5');
  });

  it('refuses "longest" when the dataset has both a duration and a distance', () => {
    const trips: DatasetDescription = {
      table,
      columns: [
        { name: 'duration_min', originalName: 'Duration (min)', type: 'double' },
        { name: 'distance_km', originalName: 'Distance (km)', type: 'double' },
      ],
    };
    expect(reasonOf('longest trip', trips)).toContain('"longest"');
  });

  it('ranks days or months for "hottest day", "busiest pickup zone"', () => {
    const hottest = sqlOf('what was the hottest day in Madrid', weather);
    expect(hottest).toContain('max("temperature_c")');
    expect(hottest).toMatch(/GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1 LIMIT 1$/);
    expect(sqlOf('busiest pickup zone', taxis)).toMatch(/count\(\*\).*GROUP BY 1 ORDER BY 2 DESC.*LIMIT 1$/);
  });
});

describe('words and values', () => {
  it('reads signs, "payment type", postfix totals, payroll and a one-letter header prefix', () => {
    expect(sqlOf('orders with negative profit', superstore)).toContain('WHERE "profit" < 0');
    expect(sqlOf('average tip by payment type', taxis)).toContain('"payment" AS "payment"');
    expect(sqlOf('conversion total for each traffic source in June 2024', web)).toContain(
      'sum("conversions")',
    );
    expect(sqlOf('total payroll by department', hr)).toContain('sum("salary")');
    expect(sqlOf('payroll by department', hr)).toContain('sum("salary")');
    expect(sqlOf('salary by department', hr)).toContain('avg("salary")');
    expect(sqlOf('average fare by class', titanic)).toContain('"pclass" AS "pclass"');
  });

  it('reads upper-case initials of one known value, and refuses initials two values share', () => {
    expect(sqlOf('pending orders in the UK', sales)).toContain(`"country" = 'United Kingdom'`);
    const twoUk: DatasetDescription = {
      table,
      columns: [
        {
          name: 'city',
          originalName: 'City',
          type: 'text',
          distinctValues: ['Upper Kingston', 'United Kingdom'],
        },
        { name: 'amount', originalName: 'Amount', type: 'double' },
      ],
    };
    expect(reasonOf('total amount in UK', twoUk)).toContain('"UK"');
  });

  it('reads a 0/1 column as a yes/no flag, and as a number after an aggregate', () => {
    expect(sqlOf('how many passengers survived', titanic)).toContain('WHERE "survived" = 1');
    expect(sqlOf('count of survivors by sex', titanic)).toContain('WHERE "survived" = 1 GROUP BY 1');
    expect(sqlOf('average survived by pclass', titanic)).toContain('avg("survived")');
  });
});

describe('after held-out set 5', () => {
  it('keeps the negation of "haven\'t", "aren\'t"', () => {
    expect(sqlOf("how many orders haven't been paid", sales)).toContain('WHERE "paid" = false');
    expect(sqlOf("employees who aren't remote", hr)).toContain('WHERE "is_remote" = false');
    expect(reasonOf("orders that aren't from France", sales)).toContain('"not"');
  });

  it('reads an ordinal before a column of small levels as that level', () => {
    expect(sqlOf('total fare paid by third class passengers', titanic)).toContain('WHERE "pclass" = 3');
    expect(sqlOf('mean fare for women in first class', titanic)).toContain('"pclass" = 1');
    expect(reasonOf('fourth class passengers', titanic)).toContain('"fourth"');
    // Siblings counted from 0 are not levels.
    expect(reasonOf('passengers with a second sibsp', titanic)).toContain('"second"');
  });

  it('sorts groups lowest first when asked', () => {
    for (const q of [
      'average ticket price by airline, cheapest first',
      'average ticket price by airline in ascending order',
      'average ticket price by airline sorted from lowest to highest',
    ])
      expect(sqlOf(q, flights)).toContain('ORDER BY 2 ASC NULLS LAST, 1');
    expect(reasonOf('top 3 airlines by passengers, lowest first', flights)).toContain('order is unclear');
    expect(reasonOf('average ticket price, lowest first', flights)).toContain('order is unclear');
    expect(reasonOf('total passengers per month, lowest first', flights)).toContain('order is unclear');
  });

  it('reads measure verbs and verbs that only link', () => {
    expect(sqlOf('How much did first class passengers pay in total?', titanic)).toMatch(
      /^SELECT sum\("fare"\) .* WHERE "pclass" = 1$/,
    );
    expect(sqlOf('which airline carried the most passengers', flights)).toContain('sum("passengers")');
    expect(reasonOf('average pay by sex', titanic)).toContain('Average of what');
    expect(reasonOf('which airline lost the most passengers', flights)).toContain('"lost"');
  });
});
