import { useSyncExternalStore } from 'react';

/** Whether the page is in dark mode (the `dark` class on <html>), re-rendering when it flips. */
export function useIsDark(): boolean {
  return useSyncExternalStore(subscribeToTheme, readDark, () => false);
}

function readDark() {
  return document.documentElement.classList.contains('dark');
}

function subscribeToTheme(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}

/** Colours of chart chrome (ticks, grid, bars) with AA contrast on the card background. */
export function chartPalette(dark: boolean) {
  return dark
    ? {
        text: '#cbd5e1',
        grid: 'rgba(148,163,184,0.18)',
        bar: '#818cf8',
        barHover: '#a5b4fc',
        line: '#818cf8',
      }
    : {
        text: '#475569',
        grid: 'rgba(100,116,139,0.18)',
        bar: '#4f46e5',
        barHover: '#6366f1',
        line: '#4f46e5',
      };
}

type Rgb = readonly [number, number, number];

const negative: Rgb = [37, 99, 235]; // blue-600
const positive: Rgb = [220, 38, 38]; // red-600
const neutralLight: Rgb = [248, 250, 252]; // slate-50
const neutralDark: Rgb = [30, 41, 59]; // slate-800

function mix(a: Rgb, b: Rgb, t: number): string {
  const c = a.map((v, i) => Math.round(v + (b[i]! - v) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * Diverging scale for a correlation in -1..1: blue for negative, neutral at 0, red for positive.
 * Undefined correlations (null) are a flat grey so they never read as "no relationship".
 */
export function divergingColor(r: number | null, dark: boolean): string {
  if (r === null || Number.isNaN(r)) return dark ? 'rgb(71, 85, 105)' : 'rgb(203, 213, 225)';
  const t = Math.max(-1, Math.min(1, r));
  const neutral = dark ? neutralDark : neutralLight;
  return t < 0 ? mix(neutral, negative, -t) : mix(neutral, positive, t);
}

const sequentialLow: Rgb = [238, 242, 255]; // indigo-50
const sequentialLowDark: Rgb = [30, 27, 75]; // indigo-950
const sequentialHigh: Rgb = [67, 56, 202]; // indigo-700
const sequentialHighDark: Rgb = [165, 180, 252]; // indigo-300

/** Sequential scale for a share 0..1 (retention rates). */
export function sequentialColor(share: number, dark: boolean): string {
  const t = Math.max(0, Math.min(1, share));
  return dark ? mix(sequentialLowDark, sequentialHighDark, t) : mix(sequentialLow, sequentialHigh, t);
}

/** Black or white text, whichever reads better on an `rgb(r, g, b)` background. */
export function textOn(background: string): string {
  const [r = 0, g = 0, b = 0] = (background.match(/\d+/g) ?? []).map(Number);
  const luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  return luminance > 0.55 ? '#0f172a' : '#ffffff';
}

/** Compact number for labels and stats: 1234567 -> 1.23M, 0.000123 -> 1.23e-4. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e15) return value.toLocaleString('en-US');
  if (abs >= 1e6)
    return new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: digits }).format(
      value,
    );
  if (abs < 1e-3) return value.toExponential(digits - 1);
  return new Intl.NumberFormat('en-US', { maximumSignificantDigits: Math.max(digits, 4) }).format(value);
}

/** A p-value as people read it: "< 0.001" rather than 1.2e-17. */
export function formatP(p: number | null): string {
  if (p === null) return '—';
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}
