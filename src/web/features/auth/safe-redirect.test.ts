import { describe, expect, it } from 'vitest';
import { safeRedirectTarget } from './safe-redirect.js';

describe('safeRedirectTarget', () => {
  it.each([
    ['/app/datasets/1?tab=rows', '/app/datasets/1?tab=rows'],
    ['/app', '/app'],
    ['/app?x=1', '/app?x=1'],
  ])('follows the hub path %s', (from, expected) => {
    expect(safeRedirectTarget(from)).toBe(expected);
  });

  it.each([
    null,
    '',
    'https://evil.example/app',
    '//evil.example/app',
    '/application',
    '/app/\\evil.example',
    '/app//evil.example',
    '/app/\tx',
    '/docs',
  ])('sends %s to /app', (from) => {
    expect(safeRedirectTarget(from)).toBe('/app');
  });
});
