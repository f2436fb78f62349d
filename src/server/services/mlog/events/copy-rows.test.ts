import { describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '../audit-event.js';
import { CHUNK_ROWS, copyChunks, copyText, encodeRow } from './copy-rows.js';

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
});
