import { describe, expect, it } from 'vitest';
import { tokenize } from './lexer.js';

describe('tokenize', () => {
  it('reads "n\'t" as the verb and "not"', () => {
    const words = (q: string) => tokenize(q).map((t) => t.kind === 'word' && t.text);
    expect(words("haven't paid")).toEqual(['have', 'not', 'paid']);
    expect(words("can't isn’t won't")).toEqual(['can', 'not', 'is', 'not', 'will', 'not']);
  });

  it('reads numbers with currency, separators, suffixes, signs and percent', () => {
    const numbers = tokenize('over $1,500 and 2.5k or -5 at 50% and 3 million').filter(
      (t) => t.kind === 'number',
    );
    expect(numbers.map((t) => t.kind === 'number' && t.value)).toEqual([1500, 2500, -5, 50, 3_000_000]);
    expect(numbers.map((t) => t.kind === 'number' && t.percent)).toEqual([false, false, false, true, false]);
  });

  it('marks plain integers, which alone may be years', () => {
    const [year, money] = tokenize('2024 1,000');
    expect(year).toMatchObject({ kind: 'number', value: 2024, plainInteger: true });
    expect(money).toMatchObject({ kind: 'number', value: 1000, plainInteger: false });
  });

  it('reads ISO days and rejects impossible ones as plain words', () => {
    expect(tokenize('after 2024-02-29')[1]).toEqual({ kind: 'day', iso: '2024-02-29', raw: '2024-02-29' });
    expect(tokenize('2023-02-30')[0]).toMatchObject({ kind: 'word' });
  });

  it('keeps quoted strings whole and drops punctuation', () => {
    const tokens = tokenize(`name contains 'De Vries' ; drop "x y"`);
    expect(tokens).toEqual([
      { kind: 'word', text: 'name', raw: 'name' },
      { kind: 'word', text: 'contains', raw: 'contains' },
      { kind: 'quoted', raw: 'De Vries' },
      { kind: 'word', text: 'drop', raw: 'drop' },
      { kind: 'quoted', raw: 'x y' },
    ]);
  });

  it('reads comparison symbols and normalises their spellings', () => {
    expect(
      tokenize('a >= 1 b != 2 c => 3')
        .filter((t) => t.kind === 'op')
        .map((t) => t.kind === 'op' && t.op),
    ).toEqual(['>=', '<>', '>=']);
  });

  it('drops possessives and splits other apostrophes like stored values are split', () => {
    expect(tokenize("customer's O'Reilly").map((t) => t.kind === 'word' && t.text)).toEqual([
      'customer',
      'o',
      'reilly',
    ]);
  });

  it('ignores text beyond 500 characters', () => {
    expect(tokenize(`${'a '.repeat(400)}`).length).toBe(250);
  });
});
