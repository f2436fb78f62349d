import type { UploadProgress } from '../../../../contracts/axi/datasets.js';
import { formatBytesPair, formatCount } from './datasets-format.js';

export interface ProgressInput {
  /** Bytes the browser has sent, and the file's size. */
  sentBytes: number;
  totalBytes: number;
  /** The server's own account of the upload (polled), once it has one. */
  server: UploadProgress | undefined;
  /** The upload request has answered: the rows are stored and only profiling is left. */
  stored: boolean;
}

export interface ProgressView {
  step: 1 | 2 | 3;
  label: string;
  /** Percent, or undefined when the step cannot be measured (indeterminate). */
  percent: number | undefined;
}

const percentOf = (done: number, total: number) =>
  total > 0 ? Math.min(100, Math.max(0, Math.round((done / total) * 100))) : 0;

/**
 * What the progress bar says. Three steps: the browser sends the bytes (its own upload
 * progress), the server stores the rows (polled), then profiles the columns. The server's phase
 * wins when it is ahead of what the browser reported.
 */
export function describeProgress({ sentBytes, totalBytes, server, stored }: ProgressInput): ProgressView {
  if (stored || server?.phase === 'profiling' || server?.phase === 'done') {
    return { step: 3, label: 'Profiling…', percent: undefined };
  }
  if (server?.phase === 'loading') {
    const total = server.totalRows ?? 0;
    return {
      step: 2,
      label: `Storing rows… ${formatCount(server.rows)} of ${formatCount(total)}`,
      percent: percentOf(server.rows, total),
    };
  }
  if (sentBytes < totalBytes || !server) {
    return {
      step: 1,
      label: `Uploading… ${formatBytesPair(sentBytes, totalBytes)}`,
      percent: percentOf(sentBytes, totalBytes),
    };
  }
  // Every byte is sent; the server is still reading the tail of the file and checking its rows.
  const total = server.totalBytes ?? totalBytes;
  return {
    step: 1,
    label: `Checking the file… ${formatCount(server.rows)} rows read`,
    percent: percentOf(server.bytes, total),
  };
}
