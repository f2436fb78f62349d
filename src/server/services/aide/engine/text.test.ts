import { describe, expect, it } from 'vitest';
import { editDistance, phraseKey, splitWords, stem } from './text.js';

describe('splitWords', () => {
  it('splits identifiers, headers and camelCase into lowercase words without accents', () => {
    expect(splitWords('unit_price')).toEqual(['unit', 'price']);
    expect(splitWords('Unit Price (EUR)')).toEqual(['unit', 'price', 'eur']);
    expect(splitWords('unitPrice')).toEqual(['unit', 'price']);
    expect(splitWords('São Paulo')).toEqual(['sao', 'paulo']);
  });
});

describe('stem', () => {
  it('maps plurals, -ed/-ing forms and -y adjectives of a word to one key', () => {
    expect(stem('orders')).toBe(stem('order'));
    expect(stem('ordered')).toBe(stem('order'));
    expect(stem('categories')).toBe(stem('category'));
    expect(stem('hired')).toBe(stem('hire'));
    expect(stem('shipped')).toBe(stem('ship'));
    expect(stem('rainy')).toBe(stem('rain'));
    expect(stem('aged')).toBe(stem('age'));
  });

  it('keeps words that only look plural and numbers', () => {
    expect(stem('status')).toBe('status');
    expect(stem('2024')).toBe('2024');
    expect(stem('sales')).not.toBe(stem('salary'));
  });

  it('phraseKey joins the stems', () => {
    expect(phraseKey(['Unit', 'Prices'])).toBe(phraseKey(['unit', 'price']));
  });
});

describe('editDistance', () => {
  it('counts single-character edits', () => {
    expect(editDistance('revnue', 'revenue')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'ab')).toBe(2);
  });
});
