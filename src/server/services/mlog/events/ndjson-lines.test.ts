import { describe, expect, it } from 'vitest';
import { ndjsonLineBatches } from './ndjson-lines.js';

async function* ndjsonLines(chunks: Buffer[], maxLineBytes: number) {
  for await (const batch of ndjsonLineBatches(chunks, maxLineBytes)) yield* batch;
}

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

  it('splits a large chunk across windows without losing or reordering lines', async () => {
    // ~1.1 MB in one chunk: several decode windows, multi-byte characters and CRLF endings.
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"i":${i},"t":"é✓ ${'x'.repeat(i % 40)}"}`);
    const out = await collect([`${lines.join('\r\n')}\r\n`], 200);
    expect(out).toHaveLength(lines.length);
    expect(out.every((line, i) => 'text' in line && line.index === i && line.text === lines[i])).toBe(true);
  });

  it('reports over-long lines found inside one chunk, by bytes not characters', async () => {
    const long = 'x'.repeat(400_000);
    // 40 three-byte characters: 40 UTF-16 units but 120 bytes.
    const wide = '✓'.repeat(40);
    expect(await collect([`{"a":1}\n${long}\n${wide}\n${'y'.repeat(100)}\n{"b":2}`])).toEqual([
      { index: 0, text: '{"a":1}' },
      { index: 1, tooLong: true },
      { index: 2, tooLong: true },
      { index: 3, text: 'y'.repeat(100) },
      { index: 4, text: '{"b":2}' },
    ]);
  });

  it('reports a line with no newline longer than a window, then goes on after it', async () => {
    const long = 'x'.repeat(300_000);
    expect(await collect([long, `${long}\n{"a":1}\n`])).toEqual([
      { index: 0, tooLong: true },
      { index: 1, text: '{"a":1}' },
    ]);
  });
});
