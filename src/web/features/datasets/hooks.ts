import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DatasetListQuery } from '../../../contracts/axi/datasets.js';
import { deleteDataset, getDataset, getRows, getUploadProgress, listDatasets } from './api.js';

/** Query keys of the datasets feature, in one place so invalidation cannot miss one. */
export const datasetKeys = {
  all: ['datasets'] as const,
  lists: () => [...datasetKeys.all, 'list'] as const,
  list: (query: Partial<DatasetListQuery>) => [...datasetKeys.lists(), query] as const,
  detail: (id: string) => [...datasetKeys.all, 'detail', id] as const,
  rows: (id: string, query: object) => [...datasetKeys.all, 'rows', id, query] as const,
  upload: (uploadId: string) => [...datasetKeys.all, 'upload', uploadId] as const,
};

export function useDatasets(query: Partial<DatasetListQuery>) {
  return useQuery({
    queryKey: datasetKeys.list(query),
    queryFn: () => listDatasets(query),
    placeholderData: keepPreviousData,
  });
}

export function useDataset(id: string) {
  return useQuery({ queryKey: datasetKeys.detail(id), queryFn: () => getDataset(id) });
}

export function useRows(
  id: string,
  query: { limit: number; offset: number; sort?: string | undefined; filter?: string[] | undefined },
  enabled = true,
) {
  return useQuery({
    queryKey: datasetKeys.rows(id, query),
    queryFn: () => getRows(id, query),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Polls an upload's server-side progress while `enabled` (the upload is running). */
export function useUploadProgress(uploadId: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: datasetKeys.upload(uploadId ?? 'none'),
    queryFn: () => getUploadProgress(uploadId!),
    enabled: Boolean(uploadId) && enabled,
    refetchInterval: 300,
    retry: false,
  });
}

export function useDeleteDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteDataset(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetKeys.all }),
  });
}
