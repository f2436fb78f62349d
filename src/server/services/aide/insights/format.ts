/** Rounds to `decimals` places (half away from zero), for facts that are shown as they are stored. */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
}

/** A number as the template texts write it: thousands separators, at most `decimals` places. */
export function formatNumber(value: number, decimals = 2): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: decimals, useGrouping: true });
}

/** Percent with one decimal place, from a share 0..1 (stored as a fact in percent already rounded). */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : round((part / whole) * 100, 1);
}
