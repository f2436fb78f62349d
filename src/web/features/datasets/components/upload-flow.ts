import { useQueryClient } from '@tanstack/react-query';
import { isCancel } from 'axios';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import type { UploadResult } from '../../../../contracts/axi/datasets.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { uploadDataset } from '../api.js';
import { datasetKeys, useUploadProgress } from '../hooks.js';
import { describeProgress, type ProgressView } from './upload-progress-model.js';

const firstPollDelayMs = 500;
/** How long the upload's own answer (with the full problem) may take after the server reported failure. */
const answerGraceMs = 1500;

/** The server reported the upload failed (through its progress) before its answer arrived. */
export class UploadStoppedByServer extends Error {
  override name = 'UploadStoppedByServer';
}

export type UploadResultData = z.infer<typeof UploadResult>;
export type OnRowError = 'reject' | 'quarantine';

export type UploadState =
  | { status: 'idle' }
  | {
      status: 'running';
      uploadId: string;
      file: File;
      sentBytes: number;
      /** Set once the request answered: rows stored, profiling may still run. */
      result: UploadResultData | undefined;
    }
  | { status: 'succeeded'; result: UploadResultData }
  | { status: 'failed'; error: unknown }
  | { status: 'cancelled' };

/**
 * One upload from start to finish: sends the file with its own upload id, follows the server's
 * progress for that id until the dataset is profiled, and can be cancelled (the request is
 * aborted; the server rolls back and keeps nothing).
 */
export function useUploadFlow() {
  const [state, setState] = useState<UploadState>({ status: 'idle' });
  const abortRef = useRef<AbortController | undefined>(undefined);
  const queryClient = useQueryClient();
  const toast = useToast();

  const running = state.status === 'running' ? state : undefined;
  // Polling starts once bytes flow, the answer came, or a moment passed: right at the start the
  // server may not know the upload id yet and would answer 404.
  const [pollDelayOver, setPollDelayOver] = useState(false);
  const runningId = running?.uploadId;
  useEffect(() => {
    setPollDelayOver(false);
    if (!runningId) return;
    const timer = setTimeout(() => setPollDelayOver(true), firstPollDelayMs);
    return () => clearTimeout(timer);
  }, [runningId]);
  const progress = useUploadProgress(
    runningId,
    running !== undefined && (pollDelayOver || running.sentBytes > 0 || running.result !== undefined),
  );
  const server = progress.data?.uploadId === running?.uploadId ? progress.data : undefined;

  const start = useCallback(
    (file: File, options: { name?: string | undefined; onError: OnRowError }) => {
      const controller = new AbortController();
      abortRef.current = controller;
      const uploadId = newUploadId();
      setState({ status: 'running', uploadId, file, sentBytes: 0, result: undefined });
      uploadDataset({
        file,
        uploadId,
        name: options.name?.trim() || undefined,
        onError: options.onError,
        signal: controller.signal,
        onUploadProgress: (sent) =>
          setState((s) =>
            s.status === 'running' && s.uploadId === uploadId && sent > s.sentBytes
              ? { ...s, sentBytes: sent }
              : s,
          ),
      }).then(
        (result) => {
          abortRef.current = undefined;
          void queryClient.invalidateQueries({ queryKey: datasetKeys.lists() });
          setState((s) =>
            s.status === 'running' && s.uploadId === uploadId ? { ...s, sentBytes: file.size, result } : s,
          );
        },
        (error: unknown) => {
          abortRef.current = undefined;
          setState((s) => {
            if (s.status !== 'running' || s.uploadId !== uploadId) return s;
            return isCancel(error) ? { status: 'cancelled' } : { status: 'failed', error };
          });
        },
      );
    },
    [queryClient],
  );

  // The request answered once the rows were stored; the profile follows on the server. The
  // upload is finished when the server says so (or can no longer say anything about it).
  const result = running?.result;
  const serverPhase = server?.phase;
  const pollFailed = progress.isError;
  useEffect(() => {
    if (!result) return;
    if (serverPhase === 'done' || serverPhase === 'failed' || pollFailed) {
      setState({ status: 'succeeded', result });
      const rows = result.dataset.rowCount.toLocaleString();
      const kept = result.rejectedRowCount
        ? ` ${result.rejectedRowCount.toLocaleString()} bad rows were set aside.`
        : '';
      toast('success', `Uploaded “${result.dataset.name}”: ${rows} rows.${kept}`);
      void queryClient.invalidateQueries({ queryKey: datasetKeys.all });
    }
  }, [result, serverPhase, pollFailed, toast, queryClient]);

  // The server can give up on an upload (too large, not a CSV) while the browser is still sending:
  // it answers at once but the browser may only see that answer after sending everything, or
  // never. When the polled state says failed and the answer does not follow, stop sending and
  // show the server's reason.
  const serverError = server?.error;
  useEffect(() => {
    if (!runningId || result || serverPhase !== 'failed') return;
    const timer = setTimeout(() => {
      abortRef.current?.abort();
      abortRef.current = undefined;
      setState((s) =>
        s.status === 'running' && s.uploadId === runningId
          ? {
              status: 'failed',
              error: new UploadStoppedByServer(serverError ?? 'The server stopped the upload.'),
            }
          : s,
      );
    }, answerGraceMs);
    return () => clearTimeout(timer);
  }, [runningId, result, serverPhase, serverError]);

  const cancel = useCallback(() => abortRef.current?.abort(), []);
  const reset = useCallback(() => setState({ status: 'idle' }), []);

  const view: ProgressView | undefined = running
    ? describeProgress({
        sentBytes: running.sentBytes,
        totalBytes: running.file.size,
        server,
        stored: running.result !== undefined,
      })
    : undefined;

  return { state, view, start, cancel, reset, canCancel: running !== undefined && !running.result };
}

/** A v4 UUID. `crypto.randomUUID` exists only in secure contexts (https or localhost); a
 * self-hosted server reached over plain http on a LAN address still has getRandomValues. */
function newUploadId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
