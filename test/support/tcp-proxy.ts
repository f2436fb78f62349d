import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/**
 * How a cut behaves. `refuse`: every connection is reset at once and new ones are reset on
 * arrival, like a stopped server or a firewall REJECT. `blackhole`: connections stay open but
 * nothing gets through in either direction, like a dead link or a firewall DROP; only timeouts
 * and heartbeats can notice it.
 */
export type CutMode = 'refuse' | 'blackhole';

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Client connections currently open through the proxy (forwarding or held by a blackhole). */
  readonly openConnections: number;
  /** The same URL pointed at the proxy: `amqp://u:p@broker:5672/vh` -> `amqp://u:p@127.0.0.1:<port>/vh`. */
  rewriteUrl(url: string): string;
  cut(options?: { mode?: CutMode }): Promise<void>;
  /** Forwards new connections again; connections held by a blackhole are dropped (their streams are broken). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  held: boolean;
}

/**
 * A TCP proxy for fault tests: lets a test take a real broker or database "down" and bring it
 * back without touching the shared server. The listener stays bound while cut, so the port cannot be
 * taken by someone else between `cut()` and `restore()`.
 */
export async function startTcpProxy({
  targetHost,
  targetPort,
  listenHost = '127.0.0.1',
}: {
  targetHost: string;
  targetPort: number;
  listenHost?: string;
}): Promise<TcpProxy> {
  let state: 'open' | CutMode = 'open';
  const pairs = new Set<Pair>();

  const destroyPair = (pair: Pair, reset: boolean) => {
    pairs.delete(pair);
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket || socket.destroyed) continue;
      // A reset (RST) is what a client sees when a broker process dies or a firewall rejects; end()
      // sends FIN, which looks like an orderly shutdown and lets pending bytes drain.
      if (reset) socket.resetAndDestroy();
      else socket.end();
    }
  };

  const hold = (pair: Pair) => {
    // Read and discard so neither side's writes ever fail or block: the bytes just vanish.
    pair.held = true;
    pair.client.removeAllListeners('data');
    pair.client.unpipe();
    pair.client.on('data', () => {});
    pair.client.resume();
    if (pair.upstream) {
      pair.upstream.removeAllListeners('data');
      pair.upstream.unpipe();
      pair.upstream.on('data', () => {});
      pair.upstream.resume();
    }
  };

  const server = createServer((client) => {
    const pair: Pair = { client, upstream: undefined, held: false };
    pairs.add(pair);
    client.on('error', () => destroyPair(pair, false));
    client.on('close', () => destroyPair(pair, false));
    if (state === 'refuse') {
      destroyPair(pair, true);
      return;
    }
    if (state === 'blackhole') {
      hold(pair);
      return;
    }
    const upstream = tcpConnect({ host: targetHost, port: targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => destroyPair(pair, true));
    upstream.on('close', () => destroyPair(pair, false));
    upstream.on('connect', () => {
      if (state === 'open') {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    });
    // Data arriving before the upstream connects stays buffered in the paused client socket.
    client.pause();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no TCP address');
  const port = address.port;

  return {
    host: listenHost,
    port,
    get openConnections() {
      return pairs.size;
    },
    rewriteUrl(url) {
      const parsed = new URL(url);
      parsed.hostname = listenHost;
      parsed.port = String(port);
      return parsed.toString();
    },
    async cut({ mode = 'refuse' } = {}) {
      state = mode;
      for (const pair of [...pairs]) {
        if (mode === 'refuse') destroyPair(pair, true);
        else hold(pair);
      }
    },
    async restore() {
      state = 'open';
      for (const pair of [...pairs]) if (pair.held) destroyPair(pair, true);
    },
    async close() {
      state = 'refuse';
      for (const pair of [...pairs]) destroyPair(pair, true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
