import { describe, expect, it } from 'vitest';
import { extractNumbers, numbersAreGrounded, ungroundedNumbers } from './grounding.js';

describe('numbersAreGrounded', () => {
  const facts = {
    column: 'Revenue',
    month: '2024-01',
    r: 0.8765,
    n: 1234,
    total: 1234567.891,
    sharePct: 71.43,
    share: 0.254,
    changePct: -12.3,
    topK: 3,
  };

  it('accepts text whose every number is a fact, as written or rounded to the shown precision', () => {
    expect(numbersAreGrounded('Pearson r = 0.8765 over 1234 rows.', facts)).toBe(true);
    expect(numbersAreGrounded('r = 0.88, or about 0.9, over 1234 rows', facts)).toBe(true);
    expect(numbersAreGrounded('The top 3 hold 71.43%, roughly 71.4% or 71%.', facts)).toBe(true);
    expect(numbersAreGrounded('No numbers at all.', facts)).toBe(true);
  });

  it('rejects a text with one invented number, and names it', () => {
    expect(numbersAreGrounded('r = 0.88 over 1234 rows, up 15% since last year.', facts)).toBe(false);
    expect(
      ungroundedNumbers('r = 0.88 over 1234 rows, up 15% since last year.', facts).map((n) => n.text),
    ).toEqual(['15%']);
    expect(numbersAreGrounded('The top 4 categories', facts)).toBe(false);
  });

  it('rejects a number rounded wrongly or shown with more precision than the fact supports', () => {
    expect(numbersAreGrounded('r = 0.87', facts)).toBe(false); // 0.8765 rounds to 0.88
    expect(numbersAreGrounded('r = 0.8', facts)).toBe(false); // 0.8765 rounds to 0.9
    expect(numbersAreGrounded('1,234.5 rows', facts)).toBe(false); // the fact is 1234, not 1234.5
    expect(numbersAreGrounded('a share of 71.5%', facts)).toBe(false);
  });

  it('reads thousands separators and plain digits alike', () => {
    expect(numbersAreGrounded('1,234 rows', facts)).toBe(true);
    expect(numbersAreGrounded('a total of 1,234,567.89', facts)).toBe(true);
    expect(numbersAreGrounded('a total of 1234568', facts)).toBe(true);
    expect(numbersAreGrounded('a total of 1,234,568.5', facts)).toBe(false);
    expect(numbersAreGrounded('a total of 1,234,000', facts)).toBe(false);
    expect(extractNumbers('1,234,567.89 and 12,5').map((n) => n.value)).toEqual([1234567.89, 12, 5]);
  });

  it('reads percentages of shares and of facts already in percent', () => {
    expect(numbersAreGrounded('25.4% of rows', facts)).toBe(true); // share 0.254
    expect(numbersAreGrounded('25 % of rows', facts)).toBe(true);
    expect(numbersAreGrounded('26% of rows', facts)).toBe(false);
    // A share written without % is not the share: 25 is not 0.254.
    expect(numbersAreGrounded('25 rows', facts)).toBe(false);
  });

  it('handles negative numbers: the sign must match, a magnitude may drop it', () => {
    expect(numbersAreGrounded('a change of -12.3%', facts)).toBe(true);
    expect(numbersAreGrounded('it fell 12.3%', facts)).toBe(true);
    expect(numbersAreGrounded('it fell by 12%', facts)).toBe(true);
    expect(numbersAreGrounded('a change of \u221212.3%', facts)).toBe(true);
    expect(numbersAreGrounded('a change of -1234 rows', facts)).toBe(false); // n is positive
    expect(numbersAreGrounded('a change of -12.4%', facts)).toBe(false);
  });

  it('does not read digits inside text facts, words or hyphenated ranges as loose numbers', () => {
    expect(numbersAreGrounded('Revenue in 2024-01 rose', facts)).toBe(true);
    expect(numbersAreGrounded('Revenue in 2024-02 rose', facts)).toBe(false);
    expect(numbersAreGrounded('Q3 sales', { column: 'Q3 sales' })).toBe(true);
    // "x-3" is a hyphen, not minus three; 3 is the fact topK.
    expect(extractNumbers('top-3').map((n) => n.value)).toEqual([3]);
    expect(numbersAreGrounded('top-3', facts)).toBe(true);
    expect(extractNumbers('r2d2 and abc123')).toEqual([]);
  });

  it('keeps a sentence-ending period out of the number', () => {
    expect(extractNumbers('over 1234 rows. Then 0.88.').map((n) => [n.value, n.decimals])).toEqual([
      [1234, 0],
      [0.88, 2],
    ]);
    expect(numbersAreGrounded('It was 3.', facts)).toBe(true);
  });

  it('accepts text facts that are numbers in disguise ("1,500", "12.5%")', () => {
    expect(numbersAreGrounded('1500 units, 12.5% more', { units: '1,500', growth: '12.5%' })).toBe(true);
    expect(numbersAreGrounded('1501 units', { units: '1,500' })).toBe(false);
  });

  it('reads the unit from the fact: no percentage of a plain quantity, no percent fact without its sign', () => {
    // r and n are plain quantities: 0.8765 is not 88%, 1234 rows are not 1234%.
    expect(numbersAreGrounded('a correlation of 88%', facts)).toBe(false);
    expect(numbersAreGrounded('1234% of rows', facts)).toBe(false);
    // sharePct is in percent already: written without the sign it reads as a count.
    expect(numbersAreGrounded('71.4 rows', facts)).toBe(false);
    expect(numbersAreGrounded('71.4 percent of the total', facts)).toBe(true);
    expect(numbersAreGrounded('a share of 0.25', facts)).toBe(true);
    expect(numbersAreGrounded('share 71.4%', { sharePct: 71.4, rows: 60 })).toBe(true);
    expect(numbersAreGrounded('60%', { sharePct: 71.4, rows: 60 })).toBe(false);
  });

  it('reads numbers written as words, and rejects magnitudes and ratios it cannot check', () => {
    expect(numbersAreGrounded('the top three regions', facts)).toBe(true);
    expect(numbersAreGrounded('the top four regions', facts)).toBe(false);
    expect(numbersAreGrounded('twenty-five regions', { n: 25 })).toBe(true);
    expect(numbersAreGrounded('Twenty Six regions', { n: 25 })).toBe(false);
    expect(numbersAreGrounded('one of the regions, the middle half', facts)).toBe(true);
    expect(numbersAreGrounded('revenue doubled', facts)).toBe(false);
    expect(numbersAreGrounded('twice as many', facts)).toBe(false);
    expect(numbersAreGrounded('thousands of rows', facts)).toBe(false);
    expect(ungroundedNumbers('1234 rows, four regions and millions more', facts).map((n) => n.text)).toEqual([
      'four',
      'millions',
    ]);
    // A category that is a number word is data, not a claim.
    expect(numbersAreGrounded('Seven Hills leads', { top1: 'Seven Hills' })).toBe(true);
  });
});
