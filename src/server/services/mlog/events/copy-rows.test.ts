import { describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '../audit-event.js';
import { CHUNK_BYTES, CHUNK_ROWS, CopyChunkBuilder, copyChunks, copyText, encodeRow } from './copy-rows.js';
import { validateEvent } from './event-validation.js';

const event = (overrides: Partial<StoredAuditEvent> = {}): StoredAuditEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  ts: new Date('2025-03-01T10:00:00.000Z'),
  receivedAt: new Date('2025-03-01T10:00:01.000Z'),
  service: 'axi',
  action: 'login',
  userId: null,
  sessionId: 's',
  correlationId: null,
  schemaVersion: 2,
  metadata: {},
  ...overrides,
});

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(encodeRow(event({ userId: 'u\t1', metadata: { p: 'x\ny' } }))).toBe(
      '00000000-0000-4000-8000-000000000001\t2025-03-01T10:00:00.000Z\t2025-03-01T10:00:01.000Z\taxi\tlogin\t' +
        'u\\t1\ts\t\\N\t2\t{"p":"x\\\\ny"}\n',
    );
  });

  it('cuts chunks on whole rows at the row bound', () => {
    const chunks = [...copyChunks(Array.from({ length: CHUNK_ROWS + 1 }, () => event()))];
    expect(chunks).toHaveLength(2);
    const text = Buffer.from(chunks[1] as Uint8Array).toString();
    expect(text.split('\n')).toHaveLength(2);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('writes a validated event with the metadata and UTC timestamp texts validation computed', () => {
    const now = new Date('2025-03-01T10:00:01.000Z');
    const checked = validateEvent(
      {
        timestamp: '2025-03-01T11:00:00+01:00',
        service: 'axi',
        action: 'login',
        metadata: { p: 'x\ny', n: [1] },
      },
      now,
      { metadataMaxBytes: 1024, retentionDays: 90, retentionByService: {} },
    );
    if (!checked.ok) throw new Error(checked.message);
    expect(checked.event.metadataJson).toBe('{"p":"x\\ny","n":[1]}');
    const { metadataJson: _, tsText: __, ...plain } = checked.event;
    expect(encodeRow(checked.event)).toBe(encodeRow(plain));
    expect(encodeRow(checked.event).split('\t')[1]).toBe('2025-03-01T10:00:00.000Z');
    expect(encodeRow(checked.event).endsWith('\t2\t{"p":"x\\\\ny","n":[1]}\n')).toBe(true);
  });

  it('formats the shared receipt time once and still writes each row its own', () => {
    const later = new Date('2025-03-01T10:05:00.000Z');
    const text = [...copyChunks([event(), event(), event({ receivedAt: later })])]
      .map((c) => Buffer.from(c).toString())
      .join('');
    expect(
      text
        .split('\n')
        .slice(0, 3)
        .map((row) => row.split('\t')[2]),
    ).toEqual(['2025-03-01T10:00:01.000Z', '2025-03-01T10:00:01.000Z', '2025-03-01T10:05:00.000Z']);
  });

  it('builds a chunk as the UTF-8 bytes of its rows, growing past its usual size for a huge row', () => {
    const chunk = new CopyChunkBuilder();
    const wide = event({ userId: 'é✓\\', metadata: { t: '✓'.repeat(10) } });
    // Far more than the spare room of a chunk, in three-byte characters.
    const huge = event({ metadata: { t: '✓\t'.repeat(CHUNK_BYTES / 4) } });
    chunk.add(wide);
    expect(chunk.full).toBe(false);
    chunk.add(huge);
    expect(chunk.rows).toBe(2);
    expect(chunk.full).toBe(true);
    const bytes = chunk.take();
    expect(bytes.toString('utf8')).toBe(encodeRow(wide) + encodeRow(huge));
    expect(bytes.length).toBe(Buffer.byteLength(encodeRow(wide) + encodeRow(huge)));
    expect(chunk.rows).toBe(0);
    chunk.add(wide);
    expect(chunk.take().toString('utf8')).toBe(encodeRow(wide));
  });
});
