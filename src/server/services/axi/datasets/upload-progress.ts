import type { UploadProgress } from '../../../../contracts/axi/datasets.js';
import type { Cache } from '../../../platform/cache/cache.js';

const ttlMs = 60 * 60 * 1000;
/** Progress is written at most this often while an upload runs; phase changes are written at once. */
const writeIntervalMs = 200;

export interface ProgressTracker {
  readonly uploadId: string;
  update(change: Partial<Pick<UploadProgress, 'phase' | 'bytes' | 'rows' | 'totalRows' | 'datasetId'>>): void;
  finish(datasetId: string): Promise<void>;
  fail(message: string): Promise<void>;
}

/**
 * Where a running upload stands, kept in the platform cache (Redis when configured) so the web's
 * progress bar can poll any replica while another one ingests. Keyed by owner and upload id: one
 * user cannot read another's progress.
 */
export function createUploadProgress({ cache, clock }: { cache: Cache; clock: () => Date }) {
  const key = (ownerId: string, uploadId: string) => `axi:upload:${ownerId}:${uploadId}`;

  return {
    start(ownerId: string, uploadId: string, totalBytes: number | null): ProgressTracker {
      const state: UploadProgress = {
        uploadId,
        phase: 'receiving',
        bytes: 0,
        totalBytes,
        rows: 0,
        totalRows: null,
        datasetId: null,
        error: null,
        updatedAt: clock().toISOString(),
      };
      let lastWrite = 0;
      let trailing: NodeJS.Timeout | undefined;
      let writing: Promise<void> = Promise.resolve();
      const write = () => {
        clearTimeout(trailing);
        trailing = undefined;
        lastWrite = Date.now();
        state.updatedAt = clock().toISOString();
        const snapshot = { ...state };
        // Writes are chained so an older snapshot never lands after a newer one; a cache hiccup
        // must not fail the upload itself.
        writing = writing.then(() => cache.set(key(ownerId, uploadId), snapshot, ttlMs)).catch(() => {});
        return writing;
      };
      void write();
      return {
        uploadId,
        update(change) {
          const phaseChanged = change.phase !== undefined && change.phase !== state.phase;
          Object.assign(state, change);
          const wait = writeIntervalMs - (Date.now() - lastWrite);
          if (phaseChanged || wait <= 0) void write();
          // A throttled change is written when the interval is up, so a stalled upload still
          // shows the last bytes that arrived.
          else trailing ??= setTimeout(() => void write(), wait);
        },
        async finish(datasetId) {
          Object.assign(state, { phase: 'done', datasetId });
          await write();
        },
        async fail(message) {
          Object.assign(state, { phase: 'failed', error: message });
          await write();
        },
      };
    },

    async get(ownerId: string, uploadId: string): Promise<UploadProgress | undefined> {
      return cache.get<UploadProgress>(key(ownerId, uploadId));
    },
  };
}

export type UploadProgressStore = ReturnType<typeof createUploadProgress>;
