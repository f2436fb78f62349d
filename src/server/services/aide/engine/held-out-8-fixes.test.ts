/**
 * Rules added by class after held-out set 8 (mtcars, a movies table): terse car-spec headers, a
 * release year as the rows' time, row nouns from titles, a superlative with one row noun as that
 * row, "by number of <levels>", "with 8 cylinders", and superlatives for mass, runtime and budget.
 * Each rule sits next to a case it must refuse.
 */
import { describe, expect, it } from 'vitest';
import { answerQuestion } from './answer-question.js';
import type { ColumnDescription } from './engine.types.js';
import { describeFixture, fixtureDataset } from './fixtures/datasets.js';
import { fixtureTable, reasonOf, sqlOf } from './fixtures/read-question.js';

const table = fixtureTable;
const mtcars = describeFixture(fixtureDataset('mtcars'), table);
const movies = describeFixture(fixtureDataset('movies'), table);
const housing = describeFixture(fixtureDataset('housing'), table);
const worldbank = describeFixture(fixtureDataset('worldbank'), table);

const years = (name: string): ColumnDescription => ({
  name,
  originalName: name,
  type: 'integer',
  min: 1990,
  max: 2020,
});
const amount = (name: string): ColumnDescription => ({
  name,
  originalName: name,
  type: 'double',
  min: 0,
  max: 1e6,
});
const text = (name: string, distinctValues: string[]): ColumnDescription => ({
  name,
  originalName: name,
  type: 'text',
  distinctValues,
});

describe('car-spec abbreviations', () => {
  it('spells out cyl, hp, wt, disp and mpg', () => {
    expect(sqlOf('average horsepower by cylinders', mtcars)).toContain('avg("hp")');
    expect(sqlOf('average horsepower by cylinders', mtcars)).toContain('"cyl" AS');
    expect(sqlOf('average weight', mtcars)).toContain('avg("wt")');
    expect(sqlOf('average displacement', mtcars)).toContain('avg("disp")');
    expect(sqlOf('average miles per gallon', mtcars)).toContain('avg("mpg")');
  });

  it('refuses a word of mpg alone', () => {
    expect(reasonOf('average miles', mtcars)).toContain('miles');
  });
});

describe('a release year is the rows time', () => {
  it('filters and groups by release_year like a year column', () => {
    expect(sqlOf('How many movies were released in 2010?', movies)).toContain(
      '"release_year" >= 2010 AND "release_year" < 2011',
    );
    expect(sqlOf('Action movies released before 2000', movies)).toContain('"release_year" < 2000');
    expect(sqlOf('number of movies by release year', movies)).toMatch(/GROUP BY 1 ORDER BY 1$/);
  });

  it('refuses a year when two year columns could be the time, and never adds years up', () => {
    const both = {
      table,
      title: 'films.csv',
      columns: [years('year'), years('release_year'), amount('gross')],
    };
    expect(reasonOf('total gross in 2010', both)).toContain('date column');
    expect(reasonOf('total release_year', movies)).toContain('holds years');
    expect(reasonOf('total YearBuilt', housing)).toContain('holds years');
  });
});

describe('row nouns of a title', () => {
  it('reads a row noun glued after an abbreviation and a singular in -ie', () => {
    expect(sqlOf('how many cars', mtcars)).toBe(`SELECT count(*) AS "count" FROM "axi_data"."${table.name}"`);
    expect(sqlOf('how many vehicles', mtcars)).toContain('count(*)');
    expect(sqlOf('the longest movie', movies)).toContain('ORDER BY "runtime" DESC');
  });

  it('does not read a glued word with a vowel before it as that noun', () => {
    const oscars = {
      table,
      title: 'oscars.csv',
      columns: [text('category', ['Best Picture']), years('year')],
    };
    expect(reasonOf('how many cars', oscars)).toContain('cars');
  });
});

describe('a superlative with one row noun is that row', () => {
  it('lists the top row, which says which', () => {
    expect(sqlOf('What is the heaviest car?', mtcars)).toMatch(
      /SELECT \* FROM .* ORDER BY "wt" DESC NULLS LAST LIMIT 1$/,
    );
    expect(sqlOf('Which car has the highest horsepower?', mtcars)).toMatch(
      /ORDER BY "hp" DESC NULLS LAST LIMIT 1$/,
    );
    expect(sqlOf('highest rated Action movie', movies)).toMatch(
      /WHERE "genre" = 'Action' ORDER BY "rating" DESC/,
    );
    // plural: the extreme value, as before
    expect(sqlOf('longest movies', movies)).toContain('max("runtime")');
  });

  it('refuses "which <row noun>" with an explicit aggregate', () => {
    expect(reasonOf('which car has the highest average hp', mtcars)).toContain('which');
  });
});

describe('superlatives that name mass, runtime and budget', () => {
  it('reads heaviest as mass, longest as runtime, most expensive as budget', () => {
    expect(sqlOf('the heaviest penguin', describeFixture(fixtureDataset('penguins'), table))).toContain(
      '"body_mass_g" DESC',
    );
    expect(sqlOf('longest Horror movie', movies)).toContain('"runtime" DESC');
    expect(sqlOf('What is the most expensive movie?', movies)).toContain('"budget" DESC');
  });

  it('refuses "most expensive" when a price and a budget both could be meant', () => {
    const both = {
      table,
      title: 'projects.csv',
      columns: [text('name', ['A']), amount('price'), amount('budget')],
    };
    expect(answerQuestion('the most expensive project', both).understood).toBe(false);
  });
});

describe('emissions', () => {
  it('are the CO2 column', () => {
    expect(sqlOf('total emissions in 2010', worldbank)).toContain('sum("co2_kt")');
  });

  it('are refused when two columns hold emissions', () => {
    const two = {
      table,
      title: 'emissions.csv',
      columns: [years('year'), amount('co2_kt'), amount('methane_emissions')],
    };
    expect(answerQuestion('total emissions in 2010', two).understood).toBe(false);
  });
});

describe('by number of <levels>', () => {
  it('groups by a whole-number column', () => {
    expect(sqlOf('average horsepower by number of cylinders', mtcars)).toMatch(/"cyl" AS .* GROUP BY 1/);
    expect(sqlOf('average SalePrice by number of bedrooms', housing)).toContain('"bedroomabvgr" AS');
  });

  it('refuses it before a column that is not a whole number', () => {
    expect(reasonOf('average hp by number of wt', mtcars)).toContain('whole-number');
  });
});

describe('with <n> <levels>', () => {
  it('is that level of a small whole-number column', () => {
    expect(sqlOf('How many cars have 8 cylinders?', mtcars)).toContain('WHERE "cyl" = 8');
    expect(sqlOf('cars with 4 gears and 4 cyl', mtcars)).toContain('WHERE "gear" = 4 AND "cyl" = 4');
    expect(sqlOf('houses with 3 bedrooms', housing)).toContain('"bedroomabvgr" = 3');
  });

  it('is refused before a measure that is not a small count', () => {
    expect(reasonOf('cars with 25 mpg', mtcars)).toContain('25');
  });
});

describe('year columns named by their verb, and adjectives ranked by the column after them', () => {
  const penguins = describeFixture(fixtureDataset('penguins'), table);

  it('compares the year column the verb names', () => {
    expect(sqlOf('How many houses were built before 1950?', housing)).toContain('WHERE "yearbuilt" < 1950');
  });

  it('refuses a month of a column of years', () => {
    expect(reasonOf('houses built in March 1950', housing)).toContain('whole years');
  });

  it('reads "longest bill length" as the highest of that length column', () => {
    expect(sqlOf('longest bill length for each species', penguins)).toContain('max("bill_length_mm")');
    expect(sqlOf('longest bill length', penguins)).toContain('max("bill_length_mm")');
  });

  it('refuses the adjective before a column it does not describe', () => {
    expect(reasonOf('longest bill depth', penguins)).toContain('longest');
  });
});
