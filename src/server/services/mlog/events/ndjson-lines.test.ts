import { describe, expect, it } from 'vitest';
import { ndjsonLines } from './ndjson-lines.js';

async function collect(chunks: string[], maxLineBytes = 100) {
  const out = [];
  for await (const line of ndjsonLines(
    chunks.map((c) => Buffer.from(c)),
    maxLineBytes,
  ))
    out.push(line);
  return out;
}

describe('ndjsonLines', () => {
  it('joins lines split across chunks and numbers lines from 0, skipping blank ones', async () => {
    expect(await collect(['\uFEFF{"a":', '1}\n\n  \n{"b"', ':2}\r\n{"c":3}'])).toEqual([
      { index: 0, text: '{"a":1}' },
      { index: 3, text: '{"b":2}' },
      { index: 4, text: '{"c":3}' },
    ]);
  });

  it('reports an over-long line without keeping it, then carries on', async () => {
    const long = 'x'.repeat(60);
    expect(await collect([`${long}`, `${long}\n{"ok":1}\n`, long, long])).toEqual([
      { index: 0, tooLong: true },
      { index: 1, text: '{"ok":1}' },
      { index: 2, tooLong: true },
    ]);
  });

  it('keeps multi-byte characters split between chunks whole', async () => {
    const bytes = Buffer.from('{"t":"é✓"}\n');
    const lines = [];
    for await (const line of ndjsonLines([bytes.subarray(0, 8), bytes.subarray(8)], 100)) lines.push(line);
    expect(lines).toEqual([{ index: 0, text: '{"t":"é✓"}' }]);
  });
});
