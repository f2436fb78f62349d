import { describe, expect, it } from 'vitest';
import type { UploadProgress } from '../../../../contracts/axi/datasets.js';
import { describeProgress } from './upload-progress-model.js';

const server = (change: Partial<UploadProgress>): UploadProgress => ({
  uploadId: '3f0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f50',
  phase: 'receiving',
  bytes: 0,
  totalBytes: 50_000_000,
  rows: 0,
  totalRows: null,
  datasetId: null,
  error: null,
  updatedAt: new Date().toISOString(),
  ...change,
});

describe('describeProgress', () => {
  it('counts the bytes the browser sent, in one unit', () => {
    const view = describeProgress({
      sentBytes: 12_500_000,
      totalBytes: 50_000_000,
      server: undefined,
      stored: false,
    });
    expect(view).toEqual({ step: 1, label: 'Uploading… 12.5 MB of 50 MB', percent: 25 });
  });

  it('follows the server while it reads the tail of a fully sent file', () => {
    const view = describeProgress({
      sentBytes: 50_000_000,
      totalBytes: 50_000_000,
      server: server({ bytes: 45_000_000, rows: 900_000 }),
      stored: false,
    });
    expect(view.step).toBe(1);
    expect(view.percent).toBe(90);
    expect(view.label).toBe(`Checking the file… ${(900_000).toLocaleString()} rows read`);
  });

  it('counts stored rows once the server loads them, even if the browser reported less', () => {
    const view = describeProgress({
      sentBytes: 10,
      totalBytes: 50_000_000,
      server: server({ phase: 'loading', rows: 250_000, totalRows: 1_000_000 }),
      stored: false,
    });
    expect(view).toEqual({
      step: 2,
      label: `Storing rows… ${(250_000).toLocaleString()} of ${(1_000_000).toLocaleString()}`,
      percent: 25,
    });
  });

  it('has no measurable percent while profiling', () => {
    const view = describeProgress({ sentBytes: 1, totalBytes: 1, server: undefined, stored: true });
    expect(view).toEqual({ step: 3, label: 'Profiling…', percent: undefined });
  });
});
