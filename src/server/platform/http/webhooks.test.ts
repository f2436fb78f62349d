import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookSender,
  isNonPublicAddress,
  resolveWebhookTarget,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  WebhookRefused,
  WebhookRejected,
} from './webhooks.js';

const secret = 'a-test-secret-of-some-length';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

describe('webhook address guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
  ])('%s is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });

  it('refuses other schemes, credentials and URLs that are not URLs', async () => {
    for (const url of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'gopher://x',
      'not a url',
      'http://u:p@8.8.8.8/',
    ]) {
      await expect(resolveWebhookTarget(url, { allowPrivate: true })).rejects.toBeInstanceOf(WebhookRefused);
    }
  });

  it('refuses private literals, including the decimal and mapped spellings, unless allowed', async () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]:8080/',
    ]) {
      await expect(resolveWebhookTarget(url, { allowPrivate: false })).rejects.toBeInstanceOf(WebhookRefused);
    }
    await expect(resolveWebhookTarget('http://127.0.0.1/', { allowPrivate: true })).resolves.toMatchObject({
      address: '127.0.0.1',
    });
  });

  it('checks every address a name resolves to, and refuses when any is private', async () => {
    const resolve = async () => [
      { address: '8.8.8.8', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expect(
      resolveWebhookTarget('https://hooks.example/x', { allowPrivate: false, resolve }),
    ).rejects.toThrow(/10\.0\.0\.5/);
    const publicOnly = async () => [{ address: '8.8.8.8', family: 4 }];
    await expect(
      resolveWebhookTarget('https://hooks.example/x', { allowPrivate: false, resolve: publicOnly }),
    ).resolves.toMatchObject({ address: '8.8.8.8' });
  });

  it('refuses a name that resolves to loopback through the system resolver', async () => {
    await expect(resolveWebhookTarget('http://localhost:9/', { allowPrivate: false })).rejects.toBeInstanceOf(
      WebhookRefused,
    );
  });
});

describe('webhook signatures', () => {
  it('verifies a fresh signature and refuses a tampered body, another secret, or a stale timestamp', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const ts = Math.floor(now.getTime() / 1000);
    const body = '{"a":1}';
    const signature = signWebhook(secret, ts, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, { timestamp: String(ts), signature, body }, { now })).toBe(true);
    expect(
      verifyWebhookSignature(secret, { timestamp: String(ts), signature, body: '{"a":2}' }, { now }),
    ).toBe(false);
    expect(
      verifyWebhookSignature('another-secret-entirely', { timestamp: String(ts), signature, body }, { now }),
    ).toBe(false);
    // The timestamp is signed: moving it forward to pass the window breaks the signature.
    expect(verifyWebhookSignature(secret, { timestamp: String(ts + 600), signature, body }, { now })).toBe(
      false,
    );
    const later = new Date(now.getTime() + 600_000);
    expect(verifyWebhookSignature(secret, { timestamp: String(ts), signature, body }, { now: later })).toBe(
      false,
    );
  });
});

describe('webhook sender against a local receiver', () => {
  let server: Server;
  let port: number;
  const received: Received[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          url: req.url ?? '',
        });
        res.statusCode = answers.shift() ?? 204;
        res.end('ignored');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    received.length = 0;
    answers = [];
  });

  const sender = (overrides: Partial<Parameters<typeof createWebhookSender>[1]> = {}) =>
    createWebhookSender('webhook.test', {
      secret,
      allowPrivate: true,
      retries: 2,
      minDelayMs: 1,
      maxDelayMs: 2,
      ...overrides,
    });

  it('delivers a body signed over the timestamp and the raw body', async () => {
    const s = sender();
    const delivery = await s.send(`http://127.0.0.1:${port}/hook?x=1`, { hello: 'world', n: 1 });
    s.shutdown();
    expect(delivery).toEqual({ status: 204, attempts: 1 });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got!.url).toBe('/hook?x=1');
    expect(JSON.parse(got!.body)).toEqual({ hello: 'world', n: 1 });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(
      verifyWebhookSignature(secret, {
        timestamp: got!.headers[TIMESTAMP_HEADER] as string,
        signature: got!.headers[SIGNATURE_HEADER] as string,
        body: got!.body,
      }),
    ).toBe(true);
  });

  it('connects to the address it checked, keeping the name in the Host header', async () => {
    const s = sender({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    await s.send(`http://hooks.invalid:${port}/named`, {});
    s.shutdown();
    expect(received[0]!.headers.host).toBe(`hooks.invalid:${port}`);
  });

  it('refuses a loopback receiver when private addresses are not allowed, without sending', async () => {
    const s = sender({ allowPrivate: false });
    await expect(s.send(`http://127.0.0.1:${port}/hook`, {})).rejects.toBeInstanceOf(WebhookRefused);
    s.shutdown();
    expect(received).toHaveLength(0);
  });

  it('retries a 5xx and succeeds, and does not retry a 4xx', async () => {
    const s = sender();
    answers = [503, 500, 200];
    await expect(s.send(`http://127.0.0.1:${port}/hook`, { a: 1 })).resolves.toEqual({
      status: 200,
      attempts: 3,
    });
    answers = [400];
    const err = await s.send(`http://127.0.0.1:${port}/hook`, { a: 2 }).catch((e: unknown) => e);
    s.shutdown();
    expect(err).toBeInstanceOf(WebhookRejected);
    expect((err as WebhookRejected).status).toBe(400);
    expect(received).toHaveLength(4);
  });

  it('does not follow redirects', async () => {
    const s = sender({ retries: 0 });
    answers = [302];
    await expect(s.send(`http://127.0.0.1:${port}/hook`, {})).rejects.toBeInstanceOf(WebhookRejected);
    s.shutdown();
    expect(received).toHaveLength(1);
  });
});
