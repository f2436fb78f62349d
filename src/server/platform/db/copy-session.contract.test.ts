import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../../../test/support/databases.js';
import type { DatabaseHandle } from './database.js';

const encoder = new TextEncoder();

async function* chunksOf(...texts: string[]): AsyncIterable<Uint8Array> {
  for (const text of texts) yield encoder.encode(text);
}

async function tableExists(handle: DatabaseHandle, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(
    handle.db,
  );
  return rows[0]?.found != null;
}

describe.each(databaseTargets())('copy session on $name', (target) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('creates a table and copies text-format rows in one transaction', async () => {
    const copied = await handle.withCopySession((session) =>
      session.db.transaction().execute(async (tx) => {
        await sql`create table copy_ok (n integer, label text, at timestamptz)`.execute(tx);
        return session.copyFrom(
          "copy copy_ok (n, label, at) from stdin with (format text, delimiter ',', null '')",
          chunksOf('1,one,2024-01-02T03:04:05Z\n2,,\n', '3,tab\\there\\, and comma,2024-05-06 07:08:09+02\n'),
        );
      }),
    );
    expect(copied).toBe(3);
    const { rows } = await sql<{ n: number; label: string | null; at: string | null }>`
      select n, label, to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as at from copy_ok order by n`.execute(
      handle.db,
    );
    expect(rows).toEqual([
      { n: 1, label: 'one', at: '2024-01-02 03:04:05' },
      { n: 2, label: null, at: null },
      { n: 3, label: 'tab\there, and comma', at: '2024-05-06 05:08:09' },
    ]);
  });

  it('counts rows over many chunks', async () => {
    const chunks = async function* () {
      for (let c = 0; c < 20; c++) {
        let text = '';
        for (let i = 0; i < 500; i++) text += `${c * 500 + i}\n`;
        yield encoder.encode(text);
      }
    };
    const copied = await handle.withCopySession((session) =>
      session.db.transaction().execute(async (tx) => {
        await sql`create table copy_many (n integer)`.execute(tx);
        return session.copyFrom('copy copy_many (n) from stdin', chunks());
      }),
    );
    expect(copied).toBe(10_000);
    const { rows } = await sql<{
      c: string;
      s: string;
    }>`select count(*) as c, sum(n) as s from copy_many`.execute(handle.db);
    expect(rows[0]).toEqual({ c: '10000', s: String((9999 * 10_000) / 2) });
  });

  it('leaves nothing behind when the input fails part-way, and the database stays usable', async () => {
    const failing = async function* () {
      yield encoder.encode('1\n2\n');
      throw new Error('upload aborted');
    };
    await expect(
      handle.withCopySession((session) =>
        session.db.transaction().execute(async (tx) => {
          await sql`create table copy_aborted (n integer)`.execute(tx);
          return session.copyFrom('copy copy_aborted (n) from stdin', failing());
        }),
      ),
    ).rejects.toThrow('upload aborted');
    expect(await tableExists(handle, 'copy_aborted')).toBe(false);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows[0]?.one).toBe(1);
  });

  it('rejects data the server cannot read, rolls back, and the next session works', async () => {
    await expect(
      handle.withCopySession((session) =>
        session.db.transaction().execute(async (tx) => {
          await sql`create table copy_bad (n integer)`.execute(tx);
          return session.copyFrom('copy copy_bad (n) from stdin', chunksOf('1\nnot a number\n'));
        }),
      ),
    ).rejects.toThrow(/invalid input syntax for type integer/);
    expect(await tableExists(handle, 'copy_bad')).toBe(false);
    const copied = await handle.withCopySession((session) =>
      session.db.transaction().execute(async (tx) => {
        await sql`create table copy_after (n integer)`.execute(tx);
        return session.copyFrom('copy copy_after (n) from stdin', chunksOf('7\n'));
      }),
    );
    expect(copied).toBe(1);
  });

  it('runs queries made on session.db during the transaction inside it', async () => {
    await expect(
      handle.withCopySession((session) =>
        session.db.transaction().execute(async () => {
          // Not through `tx`: the session has one connection, so this is the same transaction.
          await sql`create table copy_same_tx (n integer)`.execute(session.db);
          await session.copyFrom('copy copy_same_tx (n) from stdin', chunksOf('1\n'));
          throw new Error('changed my mind');
        }),
      ),
    ).rejects.toThrow('changed my mind');
    expect(await tableExists(handle, 'copy_same_tx')).toBe(false);
  });

  it('refuses anything but COPY ... FROM STDIN', async () => {
    await expect(
      handle.withCopySession((session) => session.copyFrom('drop table copy_ok', chunksOf(''))),
    ).rejects.toThrow(/COPY/);
    expect(await tableExists(handle, 'copy_ok')).toBe(true);
  });

  if (target.name === 'pglite') {
    it('keeps other queries of the process off its one connection until it ends', async () => {
      const order: string[] = [];
      let outside: Promise<unknown> = Promise.resolve();
      await handle.withCopySession(async (session) => {
        order.push('session start');
        outside = sql`select 1`.execute(handle.db).then(() => order.push('outside query'));
        await session.db.transaction().execute(async (tx) => {
          await sql`create table copy_held (n integer)`.execute(tx);
          await session.copyFrom('copy copy_held (n) from stdin', chunksOf('1\n', '2\n'));
          await sql`insert into copy_held values (3)`.execute(tx);
        });
        order.push('session end');
      });
      await outside;
      expect(order).toEqual(['session start', 'session end', 'outside query']);
    });
  } else {
    it('leaves the rest of the pool to other queries while it holds its connection', async () => {
      await handle.withCopySession(async (session) =>
        session.db.transaction().execute(async (tx) => {
          await sql`create table copy_held (n integer)`.execute(tx);
          await session.copyFrom('copy copy_held (n) from stdin', chunksOf('1\n'));
          // Another connection answers meanwhile and cannot see the uncommitted table.
          const { rows } = await sql<{
            found: string | null;
          }>`select to_regclass('copy_held')::text as found`.execute(handle.db);
          expect(rows[0]?.found).toBeNull();
        }),
      );
      expect(await tableExists(handle, 'copy_held')).toBe(true);
    });
  }
});
