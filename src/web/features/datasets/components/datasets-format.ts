/** Display helpers shared by the datasets list and the upload panel. */

const byteUnits = ['bytes', 'kB', 'MB', 'GB', 'TB'] as const;

/** Decimal units, as operating systems show file sizes: 1 MB = 1,000,000 bytes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${value.toLocaleString()} ${value === 1 ? 'byte' : 'bytes'}`;
  return `${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 1 : 0 })} ${byteUnits[unit]}`;
}

/** Two sizes in the same unit, so "12.4 MB of 50 MB" reads as one measure. */
export function formatBytesPair(done: number, total: number): string {
  const unitIndex = Math.min(
    byteUnits.length - 1,
    Math.max(1, Math.floor(Math.log10(Math.max(total, 1)) / 3)),
  );
  const divisor = 1000 ** unitIndex;
  const fmt = (n: number) => (n / divisor).toLocaleString(undefined, { maximumFractionDigits: 1 });
  return `${fmt(done)} ${byteUnits[unitIndex]} of ${fmt(total)} ${byteUnits[unitIndex]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

const relativeSteps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "3 minutes ago", "yesterday": relative to `now`, in the browser's language. */
export function formatRelative(iso: string, now: Date = new Date()): string {
  let delta = (new Date(iso).getTime() - now.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of relativeSteps) {
    if (Math.abs(delta) < size) return rtf.format(Math.round(delta), unit);
    delta /= size;
  }
  return rtf.format(Math.round(delta), 'year');
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
