/**
 * A superlative, a ranking word or a "by" that would leave the SQL unchanged is refused (every
 * meaningful word must be used); a singular row noun with a superlative and one measure lists the
 * top row. Each rule sits next to a case it must refuse.
 */
import { describe, expect, it } from 'vitest';
import { describeFixture, fixtureDataset } from './fixtures/datasets.js';
import { fixtureTable, reasonOf, sqlOf } from './fixtures/read-question.js';

const table = fixtureTable;
const movies = describeFixture(fixtureDataset('movies'), table);
const sales = describeFixture(fixtureDataset('sales'), table);

const TOP_BY_GROSS = 'ORDER BY "gross" DESC NULLS LAST LIMIT 1';

describe('a superlative with a singular row noun lists the top row', () => {
  it('lists the top movie for "highest total gross movie" (one movie\'s total is its gross)', () => {
    const sql = sqlOf('highest total gross movie', movies);
    expect(sql).toContain(TOP_BY_GROSS);
    expect(sql).not.toContain('sum(');
  });

  it('lists the top movie for "movie with the highest gross"', () => {
    expect(sqlOf('movie with the highest gross', movies)).toContain(TOP_BY_GROSS);
    expect(sqlOf('the movie with the lowest rating', movies)).toContain(
      'ORDER BY "rating" ASC NULLS LAST LIMIT 1',
    );
  });

  it('keeps the extreme value for plurals and nouns whose rows may be lines', () => {
    expect(sqlOf('movies with the highest gross', movies)).toContain('max("gross")');
    // An order (Order ID) can span several rows: its top line is not the top order.
    expect(sqlOf('order with the highest revenue', sales)).toContain('max("revenue")');
  });

  it('refuses a total superlative whose rows may be lines', () => {
    expect(reasonOf('highest total revenue order', sales)).toContain('highest');
  });
});

describe('a superlative or ranking word with nothing to rank is refused', () => {
  it('still answers the maximum and rankings of groups', () => {
    expect(sqlOf('highest gross', movies)).toContain('max("gross")');
    expect(sqlOf('top 5 products by total revenue', sales)).toContain('LIMIT 5');
  });

  it('refuses "highest" before an explicit total', () => {
    expect(reasonOf('highest total revenue', sales)).toContain('"highest"');
  });

  it('refuses "top 5" of one total', () => {
    expect(reasonOf('top 5 total revenue', sales)).toContain('"top"');
  });
});

describe('"by" must group or rank', () => {
  it('keeps a passive "by" before a filter and a ranking "by"', () => {
    expect(sqlOf('total revenue by region', sales)).toContain('GROUP BY 1');
    expect(sqlOf('top regions by number of orders', sales)).toContain('count(DISTINCT "order_id")');
  });

  it('refuses "by" before a count or an aggregate without a ranking', () => {
    expect(reasonOf('revenue by number of orders', sales)).toContain('by number of orders');
    expect(reasonOf('revenue by average discount', sales)).toContain('by average discount');
  });
});
