import type { TimelineBucket } from '../../../../contracts/mlog/query.js';

/** Display helpers of the audit dashboard: times in the browser's zone, day buckets in UTC. */

const bucketFormats: Record<TimelineBucket, Intl.DateTimeFormatOptions> = {
  minute: { hour: '2-digit', minute: '2-digit' },
  hour: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  // Day buckets are UTC days; shown in UTC so a bucket is not labelled with the day before.
  day: { month: 'short', day: 'numeric', timeZone: 'UTC' },
};

/** A bucket's start as an axis label. */
export function formatBucket(iso: string, bucket: TimelineBucket): string {
  return new Date(iso).toLocaleString(undefined, bucketFormats[bucket]);
}

/** When an event happened, to the second. */
export function formatEventTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A window in words: "Mar 3, 14:00 – Mar 4, 14:00". */
export function formatWindow(from: string, to: string): string {
  const f: Intl.DateTimeFormatOptions = {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  };
  return `${new Date(from).toLocaleString(undefined, f)} – ${new Date(to).toLocaleString(undefined, f)}`;
}

export const formatCount = (n: number) => n.toLocaleString('en-US');
