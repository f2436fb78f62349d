import type { AxiosProgressEvent } from 'axios';
import type { OverrideType } from '../../../contracts/axi/columns.js';
import {
  Dataset,
  DatasetList,
  type DatasetListQuery,
  Preview,
  RowsPage,
  UploadProgress,
  UploadResult,
} from '../../../contracts/axi/datasets.js';
import { http, request } from '../../shared/api/http.js';

const base = '/api/v1/datasets';

export function listDatasets(query: Partial<DatasetListQuery>) {
  return request(DatasetList, { url: base, params: query });
}

export function getDataset(id: string) {
  return request(Dataset, { url: `${base}/${id}` });
}

export function deleteDataset(id: string) {
  return http.delete(`${base}/${id}`);
}

export function getRows(
  id: string,
  query: { limit: number; offset: number; sort?: string | undefined; filter?: string[] | undefined },
) {
  return request(RowsPage, {
    url: `${base}/${id}/rows`,
    params: query,
    // Repeated `filter=a&filter=b`, as the API expects.
    paramsSerializer: { indexes: null },
  });
}

export interface UploadOptions {
  file: File;
  uploadId: string;
  name?: string | undefined;
  onError?: 'reject' | 'quarantine';
  overrides?: Record<string, OverrideType> | undefined;
  signal?: AbortSignal;
  /** Bytes sent so far (the browser's upload progress). */
  onUploadProgress?: (sent: number, total: number) => void;
}

/** Sends the file as the raw body (streamed by the browser), with a client-chosen upload id. */
export function uploadDataset(options: UploadOptions) {
  return request(UploadResult, {
    method: 'POST',
    url: `${base}/upload`,
    params: {
      upload_id: options.uploadId,
      on_error: options.onError ?? 'reject',
      ...(options.name ? { name: options.name } : {}),
      ...(options.overrides ? { overrides: JSON.stringify(options.overrides) } : {}),
    },
    data: options.file,
    headers: {
      'content-type': 'text/csv',
      'content-disposition': `attachment; filename="${encodeURIComponent(options.file.name)}"`,
    },
    // Uploads may be large and slow; the server streams them.
    timeout: 0,
    signal: options.signal,
    onUploadProgress: (e: AxiosProgressEvent) =>
      options.onUploadProgress?.(e.loaded, e.total ?? options.file.size),
  });
}

export function previewDataset(file: File, signal?: AbortSignal) {
  return request(Preview, {
    method: 'POST',
    url: `${base}/preview`,
    data: file,
    headers: { 'content-type': 'text/csv' },
    timeout: 0,
    signal,
  });
}

export function getUploadProgress(uploadId: string) {
  return request(UploadProgress, { url: `${base}/uploads/${uploadId}` });
}

/** Downloads an export with the caller's token and hands it to the browser as a file. */
export async function downloadExport(id: string, format: 'csv' | 'json', filename: string) {
  const res = await http.get(`${base}/${id}/export`, {
    params: { format },
    responseType: 'blob',
    timeout: 0,
  });
  saveBlob(res.data as Blob, `${filename}.${format}`);
}

export async function downloadRejectedRows(id: string, filename: string) {
  const res = await http.get(`${base}/${id}/rejected-rows`, { responseType: 'blob' });
  saveBlob(res.data as Blob, `${filename}-rejected-rows.csv`);
}

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
