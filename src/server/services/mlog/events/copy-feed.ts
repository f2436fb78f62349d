/**
 * Chunks handed from the NDJSON parser to a COPY that is already running: the COPY reads this
 * as its input while the request is still being parsed. One COPY statement then spans all the
 * chunks of a request, so PostgreSQL never sits idle while one COPY ends and the next starts,
 * which, with a COPY per chunk, made parsing and storing take turns instead of overlapping.
 *
 * At most `maxQueued` chunks wait here: `push` waits for room, so memory holds a few chunks,
 * never the request.
 */
export class CopyFeed implements AsyncIterable<Uint8Array> {
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #failure: { error: unknown } | undefined;
  // The reader stopped (the COPY finished or failed): pushing is pointless.
  #closed = false;
  // Whichever side waits for the other (never both: one waits on an empty queue, one on a full one).
  #wakeUp: (() => void) | undefined;

  constructor(private readonly maxQueued = 1) {}

  /** Queues a chunk once there is room; false if the reader has stopped (the COPY's result says why). */
  async push(chunk: Uint8Array): Promise<boolean> {
    while (this.#chunks.length >= this.maxQueued && !this.#closed) await this.#wait();
    if (this.#closed) return false;
    this.#chunks.push(chunk);
    this.#wake();
    return true;
  }

  /** No more chunks: the COPY ends once it has read those queued. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Makes the reader throw, so the COPY is aborted (and stores nothing) rather than ended. */
  fail(error: unknown): void {
    this.#failure = { error };
    this.#wake();
  }

  /**
   * The reader is gone (its COPY settled): a waiting or later push returns false. Also called by
   * the COPY's owner when it settles, in case the reader stopped without ever starting to read.
   */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        if (this.#failure) throw this.#failure.error;
        const chunk = this.#chunks.shift();
        if (chunk) {
          this.#wake();
          yield chunk;
        } else if (this.#ended) return;
        else await this.#wait();
      }
    } finally {
      this.close();
    }
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeUp = resolve;
    });
  }

  #wake(): void {
    const wakeUp = this.#wakeUp;
    this.#wakeUp = undefined;
    wakeUp?.();
  }
}
