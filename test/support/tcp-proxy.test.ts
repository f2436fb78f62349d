import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Connects, sends `text`, resolves with the first chunk echoed back, or rejects on error/close. */
async function roundTrip(port: number, text: string, timeoutMs = 1000): Promise<string> {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      socket.once('data', (chunk) => {
        clearTimeout(timer);
        resolve(chunk.toString());
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('close', () => {
        clearTimeout(timer);
        reject(new Error('closed'));
      });
      socket.write(text);
    });
  } finally {
    socket.destroy();
  }
}

describe('startTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = createServer((socket) => {
      // The proxy resets its upstream side on cut(); the echo server must survive that.
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const address = echo.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: address.port });
  });

  afterEach(async () => {
    await proxy.close();
    echo.close();
  });

  it('forwards bytes both ways', async () => {
    expect(await roundTrip(proxy.port, 'hello')).toBe('hello');
  });

  it('cut() resets open connections and new ones; restore() forwards again', async () => {
    const open: Socket = tcpConnect({ host: '127.0.0.1', port: proxy.port });
    await once(open, 'connect');
    // events.once would reject on the ECONNRESET 'error' that precedes 'close'.
    const closed = new Promise((resolve) => open.on('close', resolve));
    open.on('error', () => {});

    await proxy.cut();
    await closed;
    await expect(roundTrip(proxy.port, 'while cut')).rejects.toThrow();

    await proxy.restore();
    expect(await roundTrip(proxy.port, 'back')).toBe('back');
  });

  it("cut({ mode: 'blackhole' }) keeps connections open but silent", async () => {
    await proxy.cut({ mode: 'blackhole' });
    await expect(roundTrip(proxy.port, 'into the void', 200)).rejects.toThrow('timed out');

    await proxy.restore();
    expect(await roundTrip(proxy.port, 'back')).toBe('back');
  });

  it('rewriteUrl() points a URL at the proxy and keeps credentials and path', () => {
    expect(proxy.rewriteUrl('amqp://guest:secret@broker.internal:5672/vhost?heartbeat=5')).toBe(
      `amqp://guest:secret@127.0.0.1:${proxy.port}/vhost?heartbeat=5`,
    );
  });
});
