import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { RetentionRun } from '../../../../contracts/mlog/lifecycle.js';
import type { Config } from '../../../platform/config/load-config.js';
import type { Db } from '../../../platform/db/database.js';
import { deleteEventCounts } from '../event-counts.js';
import {
  countPartitionRows,
  deleteEventsBefore,
  dropPartition,
  listEventPartitions,
  lockPartitionForArchive,
  partitionExists,
  readPartitionAsNdjson,
  withJobLock,
} from './lifecycle.repository.js';

const DAY_MS = 86_400_000;

function startOfUtcDay(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
}

/** Events older than this are past a retention of `days` (whole UTC days, counted from today's start). */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(startOfUtcDay(now).getTime() - days * DAY_MS);
}

/**
 * Retention of `mlog.events`.
 *
 * A partition holds one UTC day of every service, so it can only be dropped once its day is past
 * the LONGEST retention in force (the default and every per-service override). Services whose
 * retention is shorter than that longest one have their expired rows deleted from the partitions
 * that must stay (a row delete, not a drop: slower, and the space is reused rather than returned
 * until vacuum). Services without an override follow `retentionDays`.
 *
 * With `archiveDir`, each partition is first streamed to `<archiveDir>/events_YYYYMMDD.ndjson.gz`
 * under a temporary name, the file is read back and its lines counted against the partition's
 * row count (writes to the partition are blocked meanwhile), then renamed and the partition
 * dropped in the same transaction. Rows deleted for a shorter per-service retention are not
 * archived.
 */
export function createRetention({
  db,
  mlog,
  clock,
  log,
}: {
  db: Db;
  mlog: Config['mlog'];
  clock: () => Date;
  log: Logger;
}) {
  const overrides = Object.entries(mlog.retentionByService);
  const longestDays = Math.max(mlog.retentionDays, ...overrides.map(([, days]) => days));

  async function archivePartition(tx: Db, partition: string, expectedRows: number): Promise<string> {
    const dir = mlog.archiveDir!;
    await mkdir(dir, { recursive: true });
    const finalPath = join(dir, `${partition}.ndjson.gz`);
    const tempPath = join(dir, `.${partition}.ndjson.gz.${process.pid}.${Date.now()}.tmp`);
    try {
      await pipeline(
        Readable.from(readPartitionAsNdjson(tx, partition)),
        createGzip(),
        createWriteStream(tempPath, { flags: 'wx' }),
      );
      const handle = await open(tempPath, 'r');
      await handle.sync();
      await handle.close();
      const lines = await countLines(tempPath);
      if (lines !== expectedRows)
        throw new Error(`archive of ${partition} has ${lines} lines, the partition ${expectedRows} rows`);
      await rename(tempPath, finalPath);
      return finalPath;
    } catch (err) {
      await rm(tempPath, { force: true });
      throw err;
    }
  }

  async function run(): Promise<RetentionRun> {
    const now = clock();
    const dropBefore = retentionCutoff(now, longestDays);
    const result: RetentionRun = {
      ranAt: now.toISOString(),
      dropBefore: dropBefore.toISOString(),
      skippedBusy: 0,
      dropped: [],
      deleted: [],
      failed: [],
    };
    log.info({ dropBefore: result.dropBefore, longestDays }, 'mlog retention: run started');

    const expired = (await listEventPartitions(db)).filter(
      (p) => new Date(`${p.day}T00:00:00Z`).getTime() + DAY_MS <= dropBefore.getTime(),
    );
    for (const partition of expired) {
      try {
        // One short transaction per partition: dropping one locks the parent table until commit.
        const done = await withJobLock(db, 'retention', async (tx) => {
          if (!(await partitionExists(tx, partition.name))) return null;
          await lockPartitionForArchive(tx, partition.name);
          const rows = await countPartitionRows(tx, partition.name);
          let archive: string | null = null;
          if (mlog.archiveDir) {
            archive = await archivePartition(tx, partition.name, rows);
            log.info({ partition: partition.name, rows, archive }, 'mlog retention: partition archived');
          }
          await dropPartition(tx, partition.name);
          const dayStart = new Date(`${partition.day}T00:00:00Z`);
          await deleteEventCounts(tx, { from: dayStart, to: new Date(dayStart.getTime() + DAY_MS) });
          return { partition: partition.name, day: partition.day, rows, archive };
        });
        if (done === undefined) result.skippedBusy += 1;
        else if (done) {
          result.dropped.push(done);
          log.info({ partition: done.partition, rows: done.rows }, 'mlog retention: partition dropped');
        }
      } catch (err) {
        const reason = (err as Error).message;
        result.failed.push({ partition: partition.name, reason });
        log.error({ partition: partition.name, err: reason }, 'mlog retention: partition kept, step failed');
      }
    }

    // Shorter retentions: delete their expired rows from the partitions that stay.
    const steps: { service: string; days: number; filter: { only: string } | { except: string[] } }[] = [];
    for (const [service, days] of overrides)
      if (days < longestDays) steps.push({ service, days, filter: { only: service } });
    if (mlog.retentionDays < longestDays)
      steps.push({ service: '*', days: mlog.retentionDays, filter: { except: overrides.map(([s]) => s) } });
    for (const step of steps) {
      const before = retentionCutoff(now, step.days);
      const rows = await withJobLock(db, 'retention', async (tx) => {
        const deleted = await deleteEventsBefore(tx, before, step.filter);
        await deleteEventCounts(tx, { to: before }, step.filter);
        return deleted;
      });
      if (rows === undefined) {
        result.skippedBusy += 1;
        continue;
      }
      result.deleted.push({ service: step.service, before: before.toISOString(), rows });
      log.info(
        { service: step.service, before: before.toISOString(), rows },
        'mlog retention: expired rows deleted',
      );
    }
    log.info(
      { dropped: result.dropped.length, failed: result.failed.length, skippedBusy: result.skippedBusy },
      'mlog retention: run finished',
    );
    return result;
  }

  return { run };
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    }
  });
  return lines;
}
