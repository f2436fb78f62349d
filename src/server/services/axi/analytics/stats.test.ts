import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  correlationPValue,
  fisherInterval,
  incompleteBeta,
  logGamma,
  studentTTwoSided,
} from './stats.js';

function expectRelative(actual: number | null, expected: number, tolerance: number) {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300));
}

describe('statistics library', () => {
  it('log-gamma matches factorials and Γ(1/2) = sqrt(pi)', () => {
    expectRelative(logGamma(10), Math.log(362_880), 1e-14);
    expectRelative(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
    expectRelative(logGamma(171), 706.5730622457874, 1e-14);
  });

  it('incomplete beta has its closed forms: I_x(1, b) = 1 - (1-x)^b and I_x(a, 1) = x^a', () => {
    expectRelative(incompleteBeta(0.3, 1, 4), 1 - 0.7 ** 4, 1e-13);
    expectRelative(incompleteBeta(0.8, 5, 1), 0.8 ** 5, 1e-13);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });

  // Reference values: scipy 1.17, 2 * scipy.stats.t.sf(t, df).
  it.each([
    [2, 10, 0.07338803477074037],
    [0.3, 998, 0.7642396290974177],
    [2, 1e6, 0.04550053385131924],
    [0.1, 1e6, 0.9203443454920432],
    [5, 1e6, 5.733997870890745e-7],
    [3, 50_000, 0.0027011257919540414],
    [1.5, 3, 0.23058386524482294],
    [10, 5, 0.00017094757574296363],
    [0, 7, 1],
    [40, 30, 1.3726045194406417e-27],
  ])('two-sided t p-value of t=%d with %d df matches SciPy', (t, df, expected) => {
    expectRelative(studentTTwoSided(t, df), expected, 1e-9);
    expectRelative(studentTTwoSided(-t, df), expected, 1e-9);
  });

  it('correlation p-value and Fisher interval match scipy.stats.pearsonr', () => {
    // x = 1..10, y = [2,1,4,3,7,8,6,9,12,10]: r = 0.9261797113999299
    const r = 0.9261797113999299;
    expectRelative(correlationPValue(r, 10), 0.00011876275128516728, 1e-9);
    const ci = fisherInterval(r, 10)!;
    expectRelative(ci[0], 0.7114102233645803, 1e-12);
    expectRelative(ci[1], 0.9827299097438954, 1e-12);
  });

  it('correlation p-value and interval are undefined for too few pairs and degenerate at |r| = 1', () => {
    expect(correlationPValue(0.5, 2)).toBeNull();
    expect(fisherInterval(0.5, 3)).toBeNull();
    expect(correlationPValue(1, 10)).toBe(0);
    expect(correlationPValue(-1, 10)).toBe(0);
    expect(fisherInterval(-1, 10)).toEqual([-1, -1]);
    expect(correlationPValue(0, 10)).toBe(1);
  });

  it('Spearman intervals are wider by the 1.06 variance factor', () => {
    const [lo, hi] = fisherInterval(0.3, 50, 1.06)!;
    const half = 1.959963984540054 * Math.sqrt(1.06 / 47);
    expectRelative(lo, Math.tanh(Math.atanh(0.3) - half), 1e-14);
    expectRelative(hi, Math.tanh(Math.atanh(0.3) + half), 1e-14);
    const [plainLo] = fisherInterval(0.3, 50)!;
    expect(lo).toBeLessThan(plainLo);
  });

  it('Benjamini-Hochberg matches scipy.stats.false_discovery_control and keeps nulls out', () => {
    const adjusted = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2, 0.8, 0.04]);
    const expected = [0.035, 0.056, 0.056, 0.035, 0.23333333333333336, 0.8, 0.056];
    for (const [i, p] of adjusted.entries()) expectRelative(p, expected[i]!, 1e-12);
    expect(benjaminiHochberg([null, 0.01, null, 0.04])).toEqual([null, 0.02, null, 0.04]);
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});
