/** Bytes as an async stream of small pieces, so tests cross chunk boundaries everywhere. */
export async function* chunkedInput(data: string | Uint8Array, size = 7): AsyncIterable<Uint8Array> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
