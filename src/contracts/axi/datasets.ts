import { z } from 'zod';
import { ColumnType, DatasetColumn, OverrideType } from './columns.js';

export const DatasetId = z.object({ id: z.uuid() });

export const Dataset = z.object({
  id: z.uuid(),
  ownerId: z.string(),
  name: z.string(),
  originalFilename: z.string().nullable(),
  columns: z.array(DatasetColumn),
  rowCount: z.number().int().nonnegative(),
  rejectedRowCount: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  encoding: z.string(),
  delimiter: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type Dataset = z.infer<typeof Dataset>;

const sortable = ['createdAt', '-createdAt', 'name', '-name', 'rowCount', '-rowCount'] as const;
export const DatasetListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  /** Case-insensitive substring of the name or the file name. */
  search: z.string().trim().max(200).optional(),
  sort: z.enum(sortable).default('-createdAt'),
});
export type DatasetListQuery = z.infer<typeof DatasetListQuery>;

export const DatasetSummaryItem = Dataset.omit({ columns: true }).extend({
  columnCount: z.number().int().nonnegative(),
});
export const DatasetList = z.object({
  items: z.array(DatasetSummaryItem),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type DatasetList = z.infer<typeof DatasetList>;

/** JSON object of per-column type overrides: `{"zip": "text", "day": "date-dmy"}` (stored name or original header). */
const Overrides = z
  .string()
  .max(20_000)
  .transform((raw, ctx) => {
    try {
      const value: unknown = JSON.parse(raw);
      const parsed = z.record(z.string(), OverrideType).safeParse(value);
      if (parsed.success) return parsed.data;
      ctx.addIssue({
        code: 'custom',
        message: `must map column names to one of ${OverrideType.options.join(', ')}`,
      });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object such as {"zip":"text"}' });
    }
    return z.NEVER;
  });

export const UploadQuery = z.object({
  /** Display name; defaults to the file name without extension. */
  name: z.string().trim().min(1).max(200).optional(),
  /** `reject` (default): any bad row fails the upload with 422. `quarantine`: good rows load, bad ones are reported. */
  on_error: z.enum(['reject', 'quarantine']).default('reject'),
  /** Client-chosen id to follow progress at GET /datasets/uploads/{uploadId} while the upload runs. */
  upload_id: z.uuid().optional(),
  overrides: Overrides.optional(),
});
export type UploadQuery = z.infer<typeof UploadQuery>;

export const PreviewQuery = UploadQuery.pick({ overrides: true });

export const UploadResult = z.object({
  uploadId: z.uuid(),
  dataset: Dataset,
  /** Rows kept out under on_error=quarantine (download at /datasets/{id}/rejected-rows). */
  rejectedRowCount: z.number().int().nonnegative(),
});

export const Preview = z.object({
  encoding: z.string(),
  bom: z.boolean(),
  delimiter: z.string(),
  rowCount: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  columns: z.array(DatasetColumn),
  ragged: z.object({
    count: z.number().int().nonnegative(),
    examples: z.array(
      z.object({ line: z.number().int(), expected: z.number().int(), got: z.number().int() }),
    ),
  }),
  sampleRows: z.array(z.array(z.string().nullable())),
});
export type Preview = z.infer<typeof Preview>;

export const UploadProgress = z.object({
  uploadId: z.uuid(),
  phase: z.enum(['receiving', 'loading', 'profiling', 'done', 'failed']),
  /** Bytes of the file received and analysed so far; `totalBytes` when the client sent a length. */
  bytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative().nullable(),
  /** Rows analysed (receiving) or stored (loading). */
  rows: z.number().int().nonnegative(),
  totalRows: z.number().int().nonnegative().nullable(),
  datasetId: z.uuid().nullable(),
  error: z.string().nullable(),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type UploadProgress = z.infer<typeof UploadProgress>;

export const filterOperators = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'contains', 'null', 'notnull'] as const;
export type FilterOperator = (typeof filterOperators)[number];

export const RowsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  /** A column name, `-name` for descending. Default: file order. */
  sort: z.string().max(70).optional(),
  /** `column:operator:value`, repeatable; operators eq ne lt lte gt gte contains null notnull. */
  filter: z.union([z.string(), z.array(z.string())]).optional(),
});
export type RowsQuery = z.infer<typeof RowsQuery>;

export const RowsPage = z.object({
  columns: z.array(z.object({ name: z.string(), originalName: z.string(), type: ColumnType })),
  /** Each row as an array in column order; dates and timestamps as ISO strings, bigints as strings. */
  rows: z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type RowsPage = z.infer<typeof RowsPage>;

export const ExportQuery = z.object({ format: z.enum(['csv', 'json']).default('csv') });
