import { describe, expect, it } from 'vitest';
import {
  bucketFor,
  customRangeProblem,
  filtersToParams,
  isFilterableService,
  parseFilters,
  windowOf,
} from './audit-filters.js';

describe('audit filters in the address', () => {
  it('round-trips every filter and leaves defaults out', () => {
    const params = new URLSearchParams(
      'range=custom&from=2025-03-01T10:00:00.000Z&to=2025-03-02T10:00:00.000Z&service=axi&action=login&user=u1',
    );
    const filters = parseFilters(params);
    expect(filters).toEqual({
      range: 'custom',
      from: '2025-03-01T10:00:00.000Z',
      to: '2025-03-02T10:00:00.000Z',
      service: 'axi',
      action: 'login',
      userId: 'u1',
    });
    expect(filtersToParams(filters).toString()).toBe(params.toString());
    expect(filtersToParams(parseFilters(new URLSearchParams())).toString()).toBe('');
  });

  it('falls back to the last 24 hours for an unknown range or an unusable custom one', () => {
    expect(parseFilters(new URLSearchParams('range=90d')).range).toBe('24h');
    expect(
      parseFilters(new URLSearchParams('range=custom&from=nonsense&to=2025-01-01T00:00:00Z')).range,
    ).toBe('24h');
    expect(
      parseFilters(new URLSearchParams('range=custom&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z'))
        .range,
    ).toBe('24h');
  });

  it('ends a preset window at the given now and picks the bucket by its length', () => {
    const now = Date.parse('2025-03-01T12:00:00.000Z');
    const at = (range: string) => windowOf(parseFilters(new URLSearchParams(`range=${range}`)), now);
    expect(at('1h')).toEqual({ from: '2025-03-01T11:00:00.000Z', to: '2025-03-01T12:00:00.000Z' });
    expect(bucketFor(at('1h'))).toBe('minute');
    expect(bucketFor({ from: '2025-03-01T06:00:00Z', to: '2025-03-01T12:00:00Z' })).toBe('minute');
    expect(bucketFor({ from: '2025-03-01T05:59:00Z', to: '2025-03-01T12:00:00Z' })).toBe('hour');
    expect(bucketFor(at('24h'))).toBe('hour');
    expect(bucketFor(at('7d'))).toBe('hour');
    expect(bucketFor(at('30d'))).toBe('day');
  });

  it('checks a custom range and the names the API can filter by', () => {
    expect(customRangeProblem(undefined, '2025-01-01T00:00:00Z')).toBe('Choose both a start and an end.');
    expect(customRangeProblem('2025-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toBe(
      'The range can be at most 400 days.',
    );
    expect(customRangeProblem('2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z')).toBeUndefined();
    expect(isFilterableService('billing-api')).toBe(true);
    // Case is kept, as ingest stores it; anything ingest would refuse cannot be a filter.
    expect(isFilterableService('Billing.Web')).toBe(true);
    expect(isFilterableService("billing';--")).toBe(false);
  });
});
