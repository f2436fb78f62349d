import { describe, expect, it } from 'vitest';
import { validateEvent } from './event-validation.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const limits = { metadataMaxBytes: 64, retentionDays: 90, retentionByService: {} };
const check = (overrides: Record<string, unknown>) =>
  validateEvent(
    { timestamp: '2025-03-01T10:00:00Z', service: 'axi', action: 'login', ...overrides },
    now,
    limits,
  );

describe('validateEvent', () => {
  it('stores the instant in UTC, with its COPY text, whatever offset it came with', () => {
    const checked = check({ timestamp: '2025-03-01T11:30:00.5+01:30' });
    if (!checked.ok) throw new Error(checked.message);
    expect(checked.event.ts.toISOString()).toBe('2025-03-01T10:00:00.500Z');
    expect(checked.event.tsText).toBe('2025-03-01T10:00:00.500Z');
  });

  it('refuses an impossible date and a malformed one with different reasons', () => {
    expect(check({ timestamp: '2025-02-30T10:00:00Z' })).toEqual({
      ok: false,
      field: 'timestamp',
      message: 'is not a real date-time',
    });
    expect(check({ timestamp: '2025-03-01 10:00:00Z' })).toMatchObject({
      ok: false,
      field: 'timestamp',
      message: expect.stringMatching(/ISO 8601/),
    });
    expect(check({ timestamp: 1740823200000 })).toMatchObject({ ok: false, field: 'timestamp' });
  });

  it('counts metadata size in UTF-8 bytes', () => {
    // 20 three-byte characters: 20 UTF-16 units, 60 bytes, plus the JSON around them.
    expect(check({ metadata: { t: '✓'.repeat(20) } })).toMatchObject({
      ok: false,
      field: 'metadata',
      message: 'is 68 bytes; at most 64 are allowed',
    });
    expect(check({ metadata: { t: '✓'.repeat(18) } }).ok).toBe(true);
  });

  it('refuses metadata jsonb cannot store, but not text that only looks like an escape', () => {
    expect(check({ metadata: { t: 'a\u0000b' } })).toMatchObject({ ok: false, field: 'metadata' });
    expect(check({ metadata: { t: '\uD800' } })).toMatchObject({ ok: false, field: 'metadata' });
    const literal = check({ metadata: { t: '\\u0000 and \\ud800' } });
    expect(literal.ok).toBe(true);
  });
});
