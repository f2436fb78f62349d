import { describe, expect, it } from 'vitest';
import { canonicalTimestamp, parseTimestamp } from './event-timestamp.js';

const utc = (iso: string) => Date.parse(iso);

describe('parseTimestamp', () => {
  it('reads canonical UTC timestamps to the millisecond', () => {
    expect(parseTimestamp('2025-03-01T10:00:00.123Z')).toBe(utc('2025-03-01T10:00:00.123Z'));
    expect(parseTimestamp('2025-03-01T10:00:00Z')).toBe(utc('2025-03-01T10:00:00.000Z'));
    expect(parseTimestamp('2025-03-01T10:00Z')).toBe(utc('2025-03-01T10:00:00.000Z'));
    expect(parseTimestamp('2025-03-01t10:00:00z')).toBe(utc('2025-03-01T10:00:00.000Z'));
  });

  it('normalises offsets to UTC, with or without the colon', () => {
    expect(parseTimestamp('2025-03-01T11:00:00+01:00')).toBe(utc('2025-03-01T10:00:00.000Z'));
    expect(parseTimestamp('2025-03-01T12:30:00+0230')).toBe(utc('2025-03-01T10:00:00.000Z'));
    expect(parseTimestamp('2025-03-01T00:30:00-02:00')).toBe(utc('2025-03-01T02:30:00.000Z'));
    // Across a day and a year boundary.
    expect(parseTimestamp('2025-01-01T01:00:00+02:00')).toBe(utc('2024-12-31T23:00:00.000Z'));
    expect(parseTimestamp('2025-01-01T10:00:00-23:59')).toBe(utc('2025-01-02T09:59:00.000Z'));
  });

  it('takes 1 to 9 fraction digits, keeping milliseconds (truncated, as Date does)', () => {
    expect(parseTimestamp('2025-03-01T10:00:00.1Z')).toBe(utc('2025-03-01T10:00:00.100Z'));
    expect(parseTimestamp('2025-03-01T10:00:00.12Z')).toBe(utc('2025-03-01T10:00:00.120Z'));
    expect(parseTimestamp('2025-03-01T10:00:00.1239Z')).toBe(utc('2025-03-01T10:00:00.123Z'));
    expect(parseTimestamp('2025-03-01T10:00:00.123456Z')).toBe(utc('2025-03-01T10:00:00.123Z'));
    expect(parseTimestamp('2025-03-01T10:00:00.999999999+01:00')).toBe(utc('2025-03-01T09:00:00.999Z'));
    expect(parseTimestamp('2025-03-01T10:00:00.Z')).toBe('format');
    expect(parseTimestamp('2025-03-01T10:00:00.1234567890Z')).toBe('format');
  });

  it('refuses dates that do not exist instead of rolling them over', () => {
    expect(parseTimestamp('2026-02-30T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-02-29T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(utc('2024-02-29T00:00:00.000Z'));
    expect(parseTimestamp('2000-02-29T00:00:00Z')).toBe(utc('2000-02-29T00:00:00.000Z'));
    expect(parseTimestamp('1900-02-29T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-04-31T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-13-01T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-00-10T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-01-00T00:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-01-01T10:60:00Z')).toBe('date');
    expect(parseTimestamp('2025-01-01T25:00:00Z')).toBe('date');
    expect(parseTimestamp('2025-01-01T10:00:00+24:00')).toBe('date');
    expect(parseTimestamp('2025-01-01T10:00:00+01:60')).toBe('date');
  });

  it('refuses leap seconds and takes 24:00 only as the end of the day', () => {
    expect(parseTimestamp('2016-12-31T23:59:60Z')).toBe('date');
    expect(parseTimestamp('2025-01-01T24:00:00Z')).toBe(utc('2025-01-02T00:00:00.000Z'));
    expect(parseTimestamp('2025-01-01T24:00Z')).toBe(utc('2025-01-02T00:00:00.000Z'));
    expect(parseTimestamp('2025-01-01T24:00:01Z')).toBe('date');
    expect(parseTimestamp('2025-01-01T24:00:00.001Z')).toBe('date');
  });

  it('keeps years before 100 as written (Date.UTC would read them as 19xx)', () => {
    expect(parseTimestamp('0050-06-01T00:00:00Z')).toBe(new Date('0050-06-01T00:00:00.000Z').getTime());
  });

  it('refuses anything but the ISO shape with an offset', () => {
    for (const text of [
      '',
      '2025-03-01',
      '2025-03-01T10:00:00',
      '2025-03-01 10:00:00Z',
      '2025-3-01T10:00:00Z',
      '2025-03-01T10:00:0Z',
      '2025-03-01T10:00:00+1',
      '2025-03-01T10:00:00+01:0',
      '2025-03-01T10:00:00+01:00:00',
      '2025-03-01T10:00:00ZZ',
      '2025-03-01T10:00:00 Z',
      '+2025-03-01T10:00:00Z',
      '２025-03-01T10:00:00Z',
      'Sat, 01 Mar 2025 10:00:00 GMT',
      '1740823200000',
    ])
      expect(parseTimestamp(text), text).toBe('format');
  });
});

describe('canonicalTimestamp', () => {
  it('reuses text that already is toISOString output', () => {
    const text = '2025-03-01T10:00:00.123Z';
    expect(canonicalTimestamp(text, utc(text))).toBe(text);
  });

  it('formats every other accepted form as toISOString would', () => {
    for (const text of [
      '2025-03-01T11:00:00.123+01:00',
      '2025-03-01T10:00:00Z',
      '2025-03-01T10:00:00.123456Z',
      '2025-03-01t10:00:00.123z',
      '2025-01-01T24:00:00.000Z',
    ]) {
      const ms = parseTimestamp(text) as number;
      expect(canonicalTimestamp(text, ms), text).toBe(new Date(ms).toISOString());
    }
  });
});
