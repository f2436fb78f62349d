import type { ColumnProfile } from '../../../../contracts/axi/analytics.js';
import type { Actor } from '../../../platform/auth/token-verifier.js';
import type { Db } from '../../../platform/db/database.js';
import { NotFound } from '../../../platform/http/errors.js';
import type { DatasetDescription } from '../engine/engine.types.js';
import {
  AXI_DATA_SCHEMA,
  type AxiDataset,
  findAxiDataset,
  findAxiProfileColumns,
  sampleTopValues,
} from './datasets.repository.js';

/** As many values as AXI's profile keeps per column. */
const TOP_VALUES = 10;

/**
 * The dataset the actor may question: the owner's or, for an admin, anyone's. Anyone else is
 * told it does not exist, as AXI answers (a 403 would confirm the id).
 */
export async function findQuestionableDataset(db: Db, actor: Actor, id: string): Promise<AxiDataset> {
  const dataset = await findAxiDataset(db, id);
  if (!dataset || (dataset.ownerId !== actor.id && !actor.roles.includes('admin')))
    throw new NotFound(`No dataset ${id}.`);
  return dataset;
}

/** What the engine reads: columns with their headers and types, plus the profile's hints. */
export function toDescription(dataset: AxiDataset, profile: ColumnProfile[]): DatasetDescription {
  const byName = new Map(profile.map((p) => [p.name, p]));
  return {
    table: { schema: AXI_DATA_SCHEMA, name: dataset.tableName },
    title: dataset.name,
    columns: dataset.columns.map((column) => {
      const p = byName.get(column.name);
      const hints: { distinctValues?: string[]; min?: string | number; max?: string | number } = {};
      if (p?.kind === 'categorical' && column.type === 'text')
        hints.distinctValues = p.topValues.map((t) => String(t.value));
      if ((p?.kind === 'numeric' || p?.kind === 'temporal') && p.min !== null && p.max !== null) {
        hints.min = p.min;
        hints.max = p.max;
      }
      return { name: column.name, originalName: column.originalName, type: column.type, ...hints };
    }),
  };
}

/**
 * Reads the dataset and its stored profile and describes it for the engine. Right after an
 * upload AXI is still computing the profile; the top text values then come from a sample of
 * the rows, since without them the engine cannot read "orders from Germany" at all.
 */
export async function describeDataset(db: Db, dataset: AxiDataset): Promise<DatasetDescription> {
  const profile = await findAxiProfileColumns(db, dataset.id);
  const description = toDescription(dataset, profile);
  if (profile.length > 0) return description;
  for (const column of description.columns) {
    if (column.type === 'text')
      column.distinctValues = await sampleTopValues(db, dataset, column.name, TOP_VALUES);
  }
  return description;
}
