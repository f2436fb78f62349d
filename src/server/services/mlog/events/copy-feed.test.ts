import { describe, expect, it } from 'vitest';
import { CopyFeed } from './copy-feed.js';

const bytes = (text: string) => Buffer.from(text);
const text = (chunks: Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString()).join('|');

async function readAll(feed: CopyFeed): Promise<Uint8Array[]> {
  const read: Uint8Array[] = [];
  for await (const chunk of feed) read.push(chunk);
  return read;
}

describe('CopyFeed', () => {
  it('hands every chunk over in order and ends when told, waiting for room in between', async () => {
    const feed = new CopyFeed(1);
    const reading = readAll(feed);
    const pushes: boolean[] = [];
    for (const t of ['a', 'b', 'c', 'd']) pushes.push(await feed.push(bytes(t)));
    feed.end();
    expect(text(await reading)).toBe('a|b|c|d');
    expect(pushes).toEqual([true, true, true, true]);
  });

  it('holds at most maxQueued chunks: a push waits until the reader takes one', async () => {
    const feed = new CopyFeed(1);
    await feed.push(bytes('a'));
    let secondQueued = false;
    const second = feed.push(bytes('b')).then(() => {
      secondQueued = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondQueued).toBe(false);
    const reader = feed[Symbol.asyncIterator]();
    expect(text([(await reader.next()).value as Uint8Array])).toBe('a');
    await second;
    expect(secondQueued).toBe(true);
    feed.end();
    expect(text([(await reader.next()).value as Uint8Array])).toBe('b');
    expect((await reader.next()).done).toBe(true);
  });

  it('makes the reader throw on fail(), even with chunks still queued', async () => {
    const feed = new CopyFeed(2);
    await feed.push(bytes('a'));
    feed.fail(new Error('too many events'));
    await expect(readAll(feed)).rejects.toThrow('too many events');
  });

  it('stops taking chunks once the reader is gone, releasing a waiting push', async () => {
    const feed = new CopyFeed(1);
    const reader = feed[Symbol.asyncIterator]();
    await feed.push(bytes('a'));
    const waiting = feed.push(bytes('b'));
    await reader.next();
    // The reader (a COPY) fails and stops reading.
    await reader.return(undefined);
    expect(await waiting).toBe(true);
    expect(await feed.push(bytes('c'))).toBe(false);

    const neverRead = new CopyFeed(1);
    await neverRead.push(bytes('a'));
    const blocked = neverRead.push(bytes('b'));
    neverRead.close();
    expect(await blocked).toBe(false);
  });
});
