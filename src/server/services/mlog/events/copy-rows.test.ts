import { describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '../audit-event.js';
import { CHUNK_ROWS, copyChunks, copyText, encodeRow } from './copy-rows.js';
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

  it('writes a validated event with the metadata text validation computed, escaped like any other', () => {
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
    const { metadataJson: _, ...plain } = checked.event;
    expect(encodeRow(checked.event)).toBe(encodeRow(plain));
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
});
